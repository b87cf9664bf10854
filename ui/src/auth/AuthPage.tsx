import { useId, useState, type FormEvent, type ReactNode } from "react";
import { toIpcError } from "../ipc";
import { validateSignIn, validateSignUp, type FieldErrors } from "./validation";

export type AuthMode = "signin" | "signup";

type FieldProps = {
  label: string;
  type: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  testId: string;
  autoComplete: string;
  autoFocus?: boolean;
  hint?: string;
};

function Field({ label, type, value, onChange, error, testId, autoComplete, autoFocus, hint }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        data-testid={testId}
      />
      {hint && !error && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The submit flow both forms share: validate, move the focus to the first field
 * to fix, stay busy while `send` runs, and keep the server's error to show.
 * `values` are the form's current values; `field` wires one of them to a `Field`.
 */
function useAuthForm<V extends Record<string, string>>(
  values: V,
  validate: (v: V) => FieldErrors,
  send: (v: V) => Promise<void>,
) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setAttempted(true);
    const found = validate(values);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      // Move to the first field to fix (after React marked it invalid).
      const form = e.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    setServerError(null);
    try {
      await send(values);
    } catch (err) {
      setServerError(toIpcError(err).message);
    } finally {
      setBusy(false);
    }
  }

  /**
   * The value, error and `onChange` of the field `key`; `onChange` stores the
   * new value with `set`, then re-validates as the person types, once they tried to submit.
   */
  function field(key: keyof V & keyof FieldErrors, set: (v: string) => void) {
    return {
      value: values[key],
      error: errors[key],
      onChange: (v: string) => {
        set(v);
        if (attempted) setErrors(validate({ ...values, [key]: v }));
      },
    };
  }

  return { busy, serverError, onSubmit, field };
}

/** What tells the two forms apart around their fields. */
type AuthFormText = {
  title: string;
  submit: string;
  submitting: string;
  submitTestId: string;
  switchPrompt: string;
  switchTo: string;
  switchTestId: string;
};

const SIGN_IN_TEXT: AuthFormText = {
  title: "Sign in",
  submit: "Sign in",
  submitting: "Signing in…",
  submitTestId: "signin-submit",
  switchPrompt: "No account yet?",
  switchTo: "Create one",
  switchTestId: "goto-signup",
};

const SIGN_UP_TEXT: AuthFormText = {
  title: "Create your account",
  submit: "Create account",
  submitting: "Creating account…",
  submitTestId: "signup-submit",
  switchPrompt: "Already have an account?",
  switchTo: "Sign in",
  switchTestId: "goto-signin",
};

type AuthFormProps = {
  text: AuthFormText;
  form: Pick<ReturnType<typeof useAuthForm>, "busy" | "serverError" | "onSubmit">;
  onSwitch: () => void;
  children: ReactNode;
};

/** The frame of an auth form: title, server error, the fields, the submit button and the link to the other form. */
function AuthForm({ text, form: { busy, serverError, onSubmit }, onSwitch, children }: AuthFormProps) {
  return (
    <form className="auth-form" noValidate aria-busy={busy} aria-labelledby="auth-title" onSubmit={onSubmit}>
      <h1 id="auth-title">{text.title}</h1>
      {serverError ? (
        <div className="alert alert-error" role="alert" data-testid="auth-error">
          {serverError}
        </div>
      ) : null}
      {children}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid={text.submitTestId}>
        {busy ? text.submitting : text.submit}
      </button>
      <p className="auth-switch">
        {text.switchPrompt}{" "}
        <button type="button" className="link" onClick={onSwitch} data-testid={text.switchTestId}>
          {text.switchTo}
        </button>
      </p>
    </form>
  );
}

export type SignInFormProps = {
  onSubmit: (email: string, password: string) => Promise<void>;
  onSwitch: () => void;
  email: string;
  onEmailChange: (email: string) => void;
};

export function SignInForm({ onSubmit, onSwitch, email, onEmailChange }: SignInFormProps) {
  const [password, setPassword] = useState("");
  const form = useAuthForm({ email, password }, validateSignIn, (v) => onSubmit(v.email.trim(), v.password));
  return (
    <AuthForm text={SIGN_IN_TEXT} form={form} onSwitch={onSwitch}>
      <Field label="Email" type="email" {...form.field("email", onEmailChange)} testId="signin-email" autoComplete="username" autoFocus />
      <Field label="Password" type="password" {...form.field("password", setPassword)} testId="signin-password" autoComplete="current-password" />
    </AuthForm>
  );
}

export type SignUpFormProps = {
  onSubmit: (name: string, email: string, password: string) => Promise<void>;
  onSwitch: () => void;
  email: string;
  onEmailChange: (email: string) => void;
};

export function SignUpForm({ onSubmit, onSwitch, email, onEmailChange }: SignUpFormProps) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const form = useAuthForm({ name, email, password }, validateSignUp, (v) =>
    onSubmit(v.name.trim(), v.email.trim(), v.password),
  );
  return (
    <AuthForm text={SIGN_UP_TEXT} form={form} onSwitch={onSwitch}>
      <Field label="Name" type="text" {...form.field("name", setName)} testId="signup-name" autoComplete="name" autoFocus />
      <Field label="Email" type="email" {...form.field("email", onEmailChange)} testId="signup-email" autoComplete="email" />
      <Field
        label="Password"
        type="password"
        {...form.field("password", setPassword)}
        testId="signup-password"
        autoComplete="new-password"
        hint="8 to 128 characters."
      />
    </AuthForm>
  );
}

export type AuthPageProps = {
  notice: ReactNode | null;
  onSignIn: (email: string, password: string) => Promise<void>;
  onSignUp: (name: string, email: string, password: string) => Promise<void>;
  initialMode?: AuthMode;
};

export function AuthPage({ notice, onSignIn, onSignUp, initialMode = "signin" }: AuthPageProps) {
  const [mode, setMode] = useState<AuthMode>(initialMode);
  const [email, setEmail] = useState("");
  return (
    <main className="auth-page" data-testid="auth-page">
      <div className="auth-card">
        <p className="brand" aria-hidden="true">
          Tasktalk
        </p>
        {notice && (
          <div className="alert alert-notice" role="status" data-testid="auth-notice">
            {notice}
          </div>
        )}
        {mode === "signin" ? (
          <SignInForm key="signin" onSubmit={onSignIn} onSwitch={() => setMode("signup")} email={email} onEmailChange={setEmail} />
        ) : (
          <SignUpForm key="signup" onSubmit={onSignUp} onSwitch={() => setMode("signin")} email={email} onEmailChange={setEmail} />
        )}
      </div>
    </main>
  );
}
