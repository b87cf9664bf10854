// Inline validation for the auth forms, run before anything is sent.

export type FieldErrors = Partial<Record<"name" | "email" | "password", string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(email: string): string | undefined {
  const e = email.trim();
  if (!e) return "Enter your email address.";
  if (e.length > 254 || !EMAIL.test(e)) return "Enter a valid email address, like name@example.com.";
  return undefined;
}

export function validatePassword(password: string): string | undefined {
  if (password.length < 8) return "The password must have at least 8 characters.";
  if (password.length > 128) return "The password must have at most 128 characters.";
  return undefined;
}

export function validateName(name: string): string | undefined {
  const n = name.trim();
  if (!n) return "Enter your name.";
  if (n.length > 100) return "The name must have at most 100 characters.";
  return undefined;
}

function compact(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(errors)) if (v) out[k as keyof FieldErrors] = v;
  return out;
}

export function validateSignIn(v: { email: string; password: string }): FieldErrors {
  return compact({
    email: validateEmail(v.email),
    password: v.password ? validatePassword(v.password) : "Enter your password.",
  });
}

export function validateSignUp(v: { name: string; email: string; password: string }): FieldErrors {
  return compact({
    name: validateName(v.name),
    email: validateEmail(v.email),
    password: validatePassword(v.password),
  });
}
