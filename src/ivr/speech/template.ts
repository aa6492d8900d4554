/** A `speak` text template: literal text and `{{variable}}` slots, parsed once when the flow loads. */
export type TemplatePart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'var'; readonly name: string };

export type TemplateParse = { readonly ok: true; readonly parts: readonly TemplatePart[] } | { readonly ok: false; readonly reason: string };

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `您的工单{{unitName}}已于{{date}}签收`. Refuses (with the reason) an unclosed `{{`, a stray
 * `}}`, an empty or badly named slot, and a template with no text and no slot. Linear: one pass.
 */
export function parseTemplate(template: string): TemplateParse {
  const parts: TemplatePart[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    const close = template.indexOf('}}', i);
    if (close !== -1 && (open === -1 || close < open)) return { ok: false, reason: `"}}" without "{{" at character ${close + 1}` };
    if (open === -1) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, open);
    const end = template.indexOf('}}', open + 2);
    if (end === -1) return { ok: false, reason: `"{{" not closed at character ${open + 1}` };
    const name = template.slice(open + 2, end).trim();
    if (!VARIABLE.test(name)) return { ok: false, reason: `"{{${template.slice(open + 2, end)}}}" is not a variable name (letters, digits, _)` };
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'var', name });
    i = end + 2;
  }
  if (text !== '') parts.push({ kind: 'text', text });
  if (parts.length === 0 || parts.every((p) => p.kind === 'text' && p.text.trim() === '')) return { ok: false, reason: 'must not be empty' };
  return { ok: true, parts };
}

/** The variables a template uses, in order of first use. */
export function templateVariables(parts: readonly TemplatePart[]): string[] {
  return [...new Set(parts.flatMap((p) => (p.kind === 'var' ? [p.name] : [])))];
}

/** Fills the slots; `missing` names the variables that were not set (or empty): the text is then incomplete. */
export function renderTemplate(parts: readonly TemplatePart[], variables: ReadonlyMap<string, string>): { readonly text: string; readonly missing: readonly string[] } {
  const missing: string[] = [];
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') text += part.text;
    else {
      const value = variables.get(part.name);
      if (value === undefined || value.trim() === '') missing.push(part.name);
      else text += value;
    }
  }
  return { text, missing };
}
