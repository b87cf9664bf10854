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

function useSubmit<V>(validate: (v: V) => FieldErrors, send: (v: V) => Promise<void>) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  async function submit(e: FormEvent, values: V) {
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
      setBusy(false);
      return;
    }
    setBusy(false);
  }

  /** Re-validates as the person types, once they tried to submit. */
  function revalidate(values: V) {
    if (attempted) setErrors(validate(values));
  }

  return { errors, busy, serverError, submit, revalidate };
}

function ServerError({ message }: { message: string | null }) {
  return message ? (
    <div className="alert alert-error" role="alert" data-testid="auth-error">
      {message}
    </div>
  ) : null;
}

export type SignInFormProps = {
  onSubmit: (email: string, password: string) => Promise<void>;
  onSwitch: () => void;
  email: string;
  onEmailChange: (email: string) => void;
};

export function SignInForm({ onSubmit, onSwitch, email, onEmailChange }: SignInFormProps) {
  const [password, setPassword] = useState("");
  const { errors, busy, serverError, submit, revalidate } = useSubmit(validateSignIn, (v) =>
    onSubmit(v.email.trim(), v.password),
  );
  return (
    <form
      className="auth-form"
      noValidate
      aria-busy={busy}
      aria-labelledby="auth-title"
      onSubmit={(e) => submit(e, { email, password })}
    >
      <h1 id="auth-title">Sign in</h1>
      <ServerError message={serverError} />
      <Field
        label="Email"
        type="email"
        value={email}
        onChange={(v) => {
          onEmailChange(v);
          revalidate({ email: v, password });
        }}
        error={errors.email}
        testId="signin-email"
        autoComplete="username"
        autoFocus
      />
      <Field
        label="Password"
        type="password"
        value={password}
        onChange={(v) => {
          setPassword(v);
          revalidate({ email, password: v });
        }}
        error={errors.password}
        testId="signin-password"
        autoComplete="current-password"
      />
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="signin-submit">
        {busy ? "Signing in…" : "Sign in"}
      </button>
      <p className="auth-switch">
        No account yet?{" "}
        <button type="button" className="link" onClick={onSwitch} data-testid="goto-signup">
          Create one
        </button>
      </p>
    </form>
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
  const { errors, busy, serverError, submit, revalidate } = useSubmit(validateSignUp, (v) =>
    onSubmit(v.name.trim(), v.email.trim(), v.password),
  );
  return (
    <form
      className="auth-form"
      noValidate
      aria-busy={busy}
      aria-labelledby="auth-title"
      onSubmit={(e) => submit(e, { name, email, password })}
    >
      <h1 id="auth-title">Create your account</h1>
      <ServerError message={serverError} />
      <Field
        label="Name"
        type="text"
        value={name}
        onChange={(v) => {
          setName(v);
          revalidate({ name: v, email, password });
        }}
        error={errors.name}
        testId="signup-name"
        autoComplete="name"
        autoFocus
      />
      <Field
        label="Email"
        type="email"
        value={email}
        onChange={(v) => {
          onEmailChange(v);
          revalidate({ name, email: v, password });
        }}
        error={errors.email}
        testId="signup-email"
        autoComplete="email"
      />
      <Field
        label="Password"
        type="password"
        value={password}
        onChange={(v) => {
          setPassword(v);
          revalidate({ name, email, password: v });
        }}
        error={errors.password}
        testId="signup-password"
        autoComplete="new-password"
        hint="8 to 128 characters."
      />
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="signup-submit">
        {busy ? "Creating account…" : "Create account"}
      </button>
      <p className="auth-switch">
        Already have an account?{" "}
        <button type="button" className="link" onClick={onSwitch} data-testid="goto-signin">
          Sign in
        </button>
      </p>
    </form>
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
