/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Markup that is already safe; `html` interpolates it as is. */
export class Raw {
  constructor(readonly html: string) {}
}

export const raw = (html: string): Raw => new Raw(html);

type Part = string | number | null | undefined | Raw | Part[];

function render(part: Part): string {
  if (Array.isArray(part)) return part.map(render).join('');
  return part instanceof Raw ? part.html : escapeHtml(part);
}

/** A tagged template whose interpolations are escaped unless they are `Raw`. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return new Raw(out);
}
