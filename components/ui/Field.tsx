import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { Badge } from "./Badge";
import { cn } from "./cn";

/** A warning that belongs to one field, e.g. { badge: "Not enforced yet", text: why }. */
export type FieldCaveat = { badge: string; text: string };

/**
 * The caveat as text beside the field (never colour alone), and the target of the control's
 * aria-describedby so that screen readers announce it with the field.
 */
function Caveat({ id, caveat }: { id: string; caveat: FieldCaveat }) {
  return (
    <p
      id={`${id}-caveat`}
      className="mt-1 text-xs leading-relaxed text-amber-900"
      data-testid={`${id}-caveat`}
    >
      <Badge tone="amber" className="mr-1.5">
        {caveat.badge}
      </Badge>
      <span className="sr-only">: </span>
      {caveat.text}
    </p>
  );
}

function describedBy(id: string): string {
  return `${id}-caveat ${id}-error ${id}-help`;
}

const CONTROL =
  "block w-full rounded-md border-0 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset placeholder:text-slate-500 focus:ring-2 focus:ring-inset disabled:bg-slate-50 disabled:text-slate-500";

function controlClasses(invalid: boolean): string {
  return cn(CONTROL, invalid ? "ring-red-400 focus:ring-red-500" : "ring-slate-300 focus:ring-indigo-600");
}

/** A labelled form field with help text, its default, and the error the schema or server gave. */
export function Field({
  id,
  label,
  help,
  defaultHint,
  error,
  caveat,
  children,
}: {
  id: string;
  label: ReactNode;
  help?: ReactNode;
  defaultHint?: ReactNode;
  error?: string;
  caveat?: FieldCaveat;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {caveat && <Caveat id={id} caveat={caveat} />}
      <div className="mt-1.5">{children}</div>
      {error && (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-red-600" data-field-error={id}>
          {error}
        </p>
      )}
      {(help || defaultHint !== undefined) && (
        <p id={`${id}-help`} className="mt-1.5 text-xs leading-relaxed text-slate-500">
          {help}
          {defaultHint !== undefined && <span className="ml-1 text-slate-500">Default: {defaultHint}</span>}
        </p>
      )}
    </div>
  );
}

export function TextInput({
  invalid = false,
  className,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  return (
    <input
      className={cn(controlClasses(invalid), className)}
      aria-invalid={invalid || undefined}
      aria-describedby={props.id ? describedBy(props.id) : undefined}
      {...props}
    />
  );
}

export function TextArea({
  invalid = false,
  className,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { invalid?: boolean }) {
  return (
    <textarea
      className={cn(controlClasses(invalid), "font-mono text-xs", className)}
      aria-invalid={invalid || undefined}
      aria-describedby={props.id ? describedBy(props.id) : undefined}
      {...props}
    />
  );
}

export function Select({
  invalid = false,
  className,
  children,
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }) {
  return (
    <select
      className={cn(controlClasses(invalid), "pr-8", className)}
      aria-invalid={invalid || undefined}
      aria-describedby={props.id ? describedBy(props.id) : undefined}
      {...props}
    >
      {children}
    </select>
  );
}

/** A checkbox with its label and help beside it. */
export function CheckboxField({
  id,
  label,
  help,
  defaultHint,
  error,
  caveat,
  checked,
  disabled,
  onChange,
}: {
  id: string;
  label: ReactNode;
  help?: ReactNode;
  defaultHint?: ReactNode;
  error?: string;
  caveat?: FieldCaveat;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="flex gap-3">
      <div className="flex h-6 items-center">
        <input
          id={id}
          type="checkbox"
          className="size-4 rounded border-slate-300 text-indigo-600 accent-indigo-600 focus:ring-indigo-600"
          checked={checked}
          disabled={disabled}
          aria-describedby={`${id}-caveat ${id}-help`}
          onChange={(e) => onChange(e.target.checked)}
        />
      </div>
      <div className="text-sm">
        <label htmlFor={id} className="font-medium text-slate-800">
          {label}
        </label>
        {caveat && <Caveat id={id} caveat={caveat} />}
        {(help || defaultHint !== undefined) && (
          <p id={`${id}-help`} className="mt-0.5 text-xs leading-relaxed text-slate-500">
            {help}
            {defaultHint !== undefined && <span className="ml-1 text-slate-500">Default: {defaultHint}</span>}
          </p>
        )}
        {error && <p className="mt-1 text-sm text-red-600">{error}</p>}
      </div>
    </div>
  );
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div
      className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700"
      data-testid="form-error"
    >
      {message}
    </div>
  );
}
