// Settings of this window, applied at once and kept in localStorage (see
// localPreference.ts for why), apart from the Save form that goes to the core.

import { useId } from "react";
import { chatViewPreference, type ChatView } from "../chatView";
import { colorSchemePreference, type ColorSchemePreference } from "../useColorScheme";

const SCHEMES: { value: ColorSchemePreference; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

const VIEWS: { value: ChatView; label: string }[] = [
  { value: "auto", label: "Automatic" },
  { value: "chatkit", label: "ChatKit" },
  { value: "builtin", label: "Built-in" },
];

function Choice<T extends string>({ name, label, options, value, onChange }: { name: string; label: string; options: { value: T; label: string }[]; value: T; onChange: (v: T) => void }) {
  const id = useId();
  return (
    <div className="field">
      <span className="field-label" id={id}>
        {label}
      </span>
      <div className="radio-row radio-inline" role="radiogroup" aria-labelledby={id}>
        {options.map((o) => (
          <label key={o.value}>
            <input type="radio" name={name} checked={value === o.value} onChange={() => onChange(o.value)} data-testid={`${name}-${o.value}`} />{" "}
            {o.label}
          </label>
        ))}
      </div>
    </div>
  );
}

export function AppearanceSettings() {
  const scheme = colorSchemePreference.use();
  const view = chatViewPreference.use();
  return (
    <section className="settings-form" aria-labelledby="appearance-title" data-testid="settings-appearance">
      <fieldset>
        <legend id="appearance-title">Appearance (this computer, applied at once)</legend>
        <Choice name="color-scheme" label="Theme" options={SCHEMES} value={scheme} onChange={colorSchemePreference.set} />
        <Choice name="chat-view" label="Chat view" options={VIEWS} value={view} onChange={chatViewPreference.set} />
        <p className="field-hint appearance-hint">
          Automatic shows the built-in chat at once and uses ChatKit from the next start after its script has loaded from OpenAI&apos;s
          servers. Built-in never contacts them.
        </p>
      </fieldset>
    </section>
  );
}
