/**
 * Inspector inputs. Text is kept as a draft while typing, checked on every key
 * (the message shows at once) and committed on Enter or blur: a rename then
 * happens once, not once per keystroke through half-typed names.
 */
import { useEffect, useId, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { checkInterfaceName, checkNamespaceName } from '../../shared/validate/names';

export interface TextFieldProps {
  field: string;
  label: string;
  value: string;
  onCommit(value: string): void;
  /** a message when the draft cannot be right (checked as you type) */
  check?(value: string): string | undefined;
  placeholder?: string;
  list?: string;
}

export function TextField({ field, label, value, onCommit, check, placeholder, list }: TextFieldProps) {
  const [draft, setDraft] = useState(value);
  const id = useId();
  useEffect(() => setDraft(value), [value]);
  const problem = check?.(draft);
  // A draft the check refuses is never committed: it stays in the field with its
  // message (Escape brings the saved value back). Committing it would put a broken
  // name or address into the document, and a duplicate name merges two objects.
  const commit = () => {
    if (draft !== value && !problem) onCommit(draft);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Enter') commit();
    else if (e.key === 'Escape') setDraft(value);
    else if (mod && e.key.toLowerCase() === 's') {
      // Save from inside a field saves what is typed there (the window's shortcut runs next)
      commit();
      return;
    }
    e.stopPropagation();
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={`inspector-${field}`}
        value={draft}
        placeholder={placeholder}
        list={list}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKey}
        onBlur={commit}
        spellCheck={false}
        autoComplete="off"
      />
      {problem && (
        <div className="field-error" data-testid="inspector-error" role="alert">
          {problem}
        </div>
      )}
    </div>
  );
}

export function CheckField({ field, label, value, onChange }: { field: string; label: string; value: boolean; onChange(v: boolean): void }) {
  return (
    <label className="field check">
      <input type="checkbox" data-testid={`inspector-${field}`} checked={value} onChange={(e) => onChange(e.target.checked)} aria-label={label} />
      {label}
    </label>
  );
}

export function SelectField({
  field,
  label,
  value,
  options,
  onChange,
}: {
  field: string;
  label: string;
  value: string;
  options: readonly string[];
  onChange(v: string): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={`inspector-${field}`} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o || '—'}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="section">
      <div className="section-title">
        <span>{title}</span>
        {actions}
      </div>
      {children}
    </section>
  );
}

// ---------------------------------------------------------------- checks as you type

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(%\w+)?$/;

export const isIp = (s: string) => IPV4.test(s) || (s.includes(':') && IPV6.test(s));

export function checkCidr(s: string): string | undefined {
  const [ip, len, extra] = s.split('/');
  if (extra !== undefined || len === undefined) return `${s}: needs a prefix length, e.g. 10.0.0.1/24`;
  if (!isIp(ip)) return `${s}: ${ip} is not an IP address`;
  const n = Number(len);
  const max = ip.includes(':') ? 128 : 32;
  if (!/^\d+$/.test(len) || n > max) return `${s}: prefix length must be 0–${max}`;
  return undefined;
}

export const splitList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

export const checkCidrList = (s: string) => splitList(s).map(checkCidr).find(Boolean);
export const checkIpList = (s: string) =>
  splitList(s)
    .map((x) => (isIp(x) ? undefined : `${x} is not an IP address`))
    .find(Boolean);
export const checkIp = (s: string) => (s === '' || isIp(s) ? undefined : `${s} is not an IP address`);
// Names: the same rules as the validator (and the helper), so the inspector never accepts what apply would refuse.
export function checkIfname(s: string): string | undefined {
  if (!s) return 'a name is required';
  return checkInterfaceName(s)?.message;
}
export function checkNsName(s: string): string | undefined {
  if (!s) return 'a name is required';
  return checkNamespaceName(s)?.message;
}
export function checkInt(min: number, max: number, optional = true) {
  return (s: string) => {
    if (s === '' && optional) return undefined;
    if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) return `a whole number ${min}–${max}`;
    return undefined;
  };
}
