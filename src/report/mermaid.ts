// Text inside a Mermaid diagram: what its grammars and its entity pre-pass treat specially.

/** Characters of a label by default. */
export const LABEL_CHARS = 70

/**
 * Text Mermaid shows literally: quotes, colons, `#`, `;`, `%` (comments), backticks (they would
 * end the Markdown fence), angle brackets and braces become entity codes (`#58;`), which Mermaid
 * renders as the characters themselves. One line, cut to max characters.
 */
export function mermaidText(text: string, max = LABEL_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  return cut.replace(/[":#;%`<>{}]/g, ch => `#${ch.charCodeAt(0)};`)
}

/** A Markdown fenced block GitHub renders as a diagram. */
export function mermaidBlock(text: string): string {
  return `\`\`\`mermaid\n${text}\n\`\`\``
}
