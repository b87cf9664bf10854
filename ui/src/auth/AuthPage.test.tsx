import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { IpcError } from "../ipc";
import { AuthPage } from "./AuthPage";

function setup(opts: { notice?: string | null; onSignIn?: () => Promise<void>; onSignUp?: () => Promise<void> } = {}) {
  const onSignIn = vi.fn(opts.onSignIn ?? (async () => {}));
  const onSignUp = vi.fn(opts.onSignUp ?? (async () => {}));
  const user = userEvent.setup();
  render(<AuthPage notice={opts.notice ?? null} onSignIn={onSignIn} onSignUp={onSignUp} />);
  return { onSignIn, onSignUp, user };
}

describe("sign-in form", () => {
  it("blocks a bad email and a short password with inline messages", async () => {
    const { onSignIn, user } = setup();
    await user.type(screen.getByTestId("signin-email"), "not-an-email");
    await user.type(screen.getByTestId("signin-password"), "short");
    await user.click(screen.getByTestId("signin-submit"));
    expect(screen.getByText(/valid email address/i)).toBeTruthy();
    expect(screen.getByText(/at least 8 characters/i)).toBeTruthy();
    expect(screen.getByTestId("signin-email").getAttribute("aria-invalid")).toBe("true");
    expect(onSignIn).not.toHaveBeenCalled();
    // The focus goes to the first field to fix.
    await vi.waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("signin-email")));
  });

  it("shows the server's error message in an alert", async () => {
    const { onSignIn, user } = setup({
      onSignIn: async () => {
        throw new IpcError("INVALID_EMAIL_OR_PASSWORD", "The email or the password is wrong.");
      },
    });
    await user.type(screen.getByTestId("signin-email"), "ada@example.com");
    await user.type(screen.getByTestId("signin-password"), "correct horse");
    await user.click(screen.getByTestId("signin-submit"));
    const alert = await screen.findByTestId("auth-error");
    expect(alert.textContent).toBe("The email or the password is wrong.");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(onSignIn).toHaveBeenCalledWith("ada@example.com", "correct horse");
    expect((screen.getByTestId("signin-submit") as HTMLButtonElement).disabled).toBe(false);
  });

  it("is busy while signing in and calls the handler with trimmed email", async () => {
    let finish!: () => void;
    const { onSignIn, user } = setup({ onSignIn: () => new Promise<void>((r) => (finish = r)) });
    await user.type(screen.getByTestId("signin-email"), "  ada@example.com ");
    await user.type(screen.getByTestId("signin-password"), "12345678");
    await user.click(screen.getByTestId("signin-submit"));
    const button = screen.getByTestId("signin-submit") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toMatch(/signing in/i);
    expect(onSignIn).toHaveBeenCalledWith("ada@example.com", "12345678");
    finish();
    await vi.waitFor(() => expect(button.disabled).toBe(false));
    expect(screen.queryByTestId("auth-error")).toBeNull();
  });

  it("shows the session notice and links to sign-up and back", async () => {
    const { user } = setup({ notice: "Your session has expired. Please sign in again." });
    expect(screen.getByTestId("auth-notice").textContent).toBe("Your session has expired. Please sign in again.");
    await user.type(screen.getByTestId("signin-email"), "ada@example.com");
    await user.click(screen.getByTestId("goto-signup"));
    expect(screen.getByTestId("signup-name")).toBeTruthy();
    expect(screen.queryByTestId("signin-email")).toBeNull();
    // The email typed so far is kept across the switch.
    expect((screen.getByTestId("signup-email") as HTMLInputElement).value).toBe("ada@example.com");
    await user.click(screen.getByTestId("goto-signin"));
    expect(screen.getByTestId("signin-email")).toBeTruthy();
  });
});

describe("sign-up form", () => {
  async function openSignUp() {
    const ctx = setup();
    await ctx.user.click(screen.getByTestId("goto-signup"));
    return ctx;
  }

  it("requires a name and blocks submission", async () => {
    const { onSignUp, user } = await openSignUp();
    await user.type(screen.getByTestId("signup-email"), "ada@example.com");
    await user.type(screen.getByTestId("signup-password"), "long enough");
    await user.click(screen.getByTestId("signup-submit"));
    expect(screen.getByText("Enter your name.")).toBeTruthy();
    expect(onSignUp).not.toHaveBeenCalled();
  });

  it("rejects a name over 100 characters, a bad email and a password over 128", async () => {
    const { onSignUp } = await openSignUp();
    fireEvent.change(screen.getByTestId("signup-name"), { target: { value: "n".repeat(101) } });
    fireEvent.change(screen.getByTestId("signup-email"), { target: { value: "ada@localhost" } });
    fireEvent.change(screen.getByTestId("signup-password"), { target: { value: "p".repeat(129) } });
    fireEvent.click(screen.getByTestId("signup-submit"));
    expect(screen.getByText(/at most 100 characters/)).toBeTruthy();
    expect(screen.getByText(/valid email address/)).toBeTruthy();
    expect(screen.getByText(/at most 128 characters/)).toBeTruthy();
    expect(onSignUp).not.toHaveBeenCalled();
  });

  it("clears a message once fixed, then submits", async () => {
    const { onSignUp, user } = await openSignUp();
    await user.type(screen.getByTestId("signup-name"), "Ada Lovelace");
    await user.type(screen.getByTestId("signup-email"), "ada@example.com");
    await user.type(screen.getByTestId("signup-password"), "short");
    await user.click(screen.getByTestId("signup-submit"));
    expect(screen.getByText(/at least 8 characters/)).toBeTruthy();
    await user.type(screen.getByTestId("signup-password"), "-but-now-long");
    expect(screen.queryByText(/at least 8 characters/)).toBeNull();
    await user.click(screen.getByTestId("signup-submit"));
    expect(onSignUp).toHaveBeenCalledWith("Ada Lovelace", "ada@example.com", "short-but-now-long");
  });

  it("shows a server error such as an existing account", async () => {
    const ctx = setup({
      onSignUp: async () => {
        throw { kind: "USER_ALREADY_EXISTS", message: "An account with this email already exists." };
      },
    });
    await ctx.user.click(screen.getByTestId("goto-signup"));
    await ctx.user.type(screen.getByTestId("signup-name"), "Ada");
    await ctx.user.type(screen.getByTestId("signup-email"), "ada@example.com");
    await ctx.user.type(screen.getByTestId("signup-password"), "12345678");
    await ctx.user.click(screen.getByTestId("signup-submit"));
    expect((await screen.findByTestId("auth-error")).textContent).toBe("An account with this email already exists.");
  });
});
