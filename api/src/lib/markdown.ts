import { Marked, type RendererThis, type TokenizerThis, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

export interface TocEntry { id: string; text: string; depth: number }
export interface RenderedMarkdown { html: string; toc: TocEntry[]; text: string }
export interface RenderOptions {
  /** Where relative image and link paths point: the module's assets (`/api/modules/<id>/assets`). */
  assetBase?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Heading ids that survive Chinese: letters and digits of any script, dashes for the rest. */
export function slugify(text: string): string {
  const s = text.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return s || 'section';
}

const isRelative = (href: string) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//') && !href.startsWith('/') && !href.startsWith('#');

// The allow-list: what lessons and questions need, nothing that runs or loads from elsewhere.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'del',
    'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'sup', 'sub', 'span'],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'], img: ['src', 'alt', 'title', 'loading'], th: ['align'], td: ['align'],
    h1: ['id'], h2: ['id'], h3: ['id'], h4: ['id'], h5: ['id'], h6: ['id'], blockquote: ['class'], ol: ['start'],
    input: ['type', 'checked', 'disabled'], code: ['class'], span: ['class'],
  },
  allowedClasses: { blockquote: ['sample'], code: [/^language-[\w-]+$/], span: ['blank'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images only from this server (relative paths): no tracking pixels, no data: or javascript: URLs.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const external = /^https?:/i.test(attribs.href ?? '');
      return { tagName, attribs: external ? { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } : attribs };
    },
    input: (tagName, attribs) => ({ tagName, attribs: attribs.type === 'checkbox' ? { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } : {} }),
  },
  exclusiveFilter: (frame) => frame.tag === 'input' && frame.attribs.type !== 'checkbox',
};

export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/**
 * `**…**` next to Chinese punctuation: CommonMark's flanking rules leave `的**“两个至上”**是` unbolded, which is
 * how Chinese writers put it. This tokenizer takes any `**text**` without inner asterisks or surrounding spaces.
 */
const cjkStrong = {
  name: 'cjkStrong',
  level: 'inline' as const,
  start(src: string) {
    const i = src.indexOf('**');
    return i < 0 ? undefined : i;
  },
  tokenizer(this: TokenizerThis, src: string) {
    const m = /^\*\*(?![\s*])([^*\n]*?[^\s*])\*\*(?!\*)/.exec(src);
    if (!m) return undefined;
    return { type: 'strong', raw: m[0], text: m[1], tokens: this.lexer.inlineTokens(m[1]) };
  },
};

/**
 * The one markdown pipeline of the product (course modules, question stems, previews): marked, with raw HTML shown
 * as text, heading ids and a table of contents, relative images pointed at the module's assets, and then the
 * sanitizer as a second wall. The browser only ever receives its output.
 */
export function renderMarkdown(markdown: string, opts: RenderOptions = {}): RenderedMarkdown {
  const toc: TocEntry[] = [];
  const used = new Map<string, number>();
  const textParts: string[] = [];
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  marked.use({
    extensions: [cjkStrong],
    walkTokens(token) {
      if (token.type === 'text' || token.type === 'codespan' || token.type === 'code') textParts.push((token as Tokens.Text).text);
    },
    renderer: {
      html({ text }) {
        return escapeHtml(text);
      },
      heading(this: RendererThis, { tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens) as string;
        const plain = this.parser.parseInline(tokens, this.parser.textRenderer) as string;
        const base = slugify(plain);
        const n = used.get(base) ?? 0;
        used.set(base, n + 1);
        const id = n ? `${base}-${n}` : base;
        if (depth >= 2 && depth <= 3) toc.push({ id, text: plain, depth });
        return `<h${depth} id="${escapeHtml(id)}">${inner}</h${depth}>\n`;
      },
      image({ href, title, text }: Tokens.Image) {
        const src = opts.assetBase && isRelative(href) ? `${opts.assetBase}/${encodeURI(href.replace(/^\.\//, ''))}` : href;
        return `<img src="${escapeHtml(src)}" alt="${escapeHtml(text)}"${title ? ` title="${escapeHtml(title)}"` : ''} loading="lazy">`;
      },
      blockquote(this: RendererThis, { tokens }: Tokens.Blockquote) {
        const body = this.parser.parse(tokens) as string;
        // A blockquote that opens with the sample marker is company-specific material for trainers to replace.
        const sample = /^<p><strong>(示例|Sample)/.test(body.trim());
        return `<blockquote${sample ? ' class="sample"' : ''}>\n${body}</blockquote>\n`;
      },
    },
  });
  const raw = marked.parse(markdown) as string;
  return { html: sanitize(raw), toc, text: textParts.join(' ').replace(/\s+/g, ' ').trim() };
}
