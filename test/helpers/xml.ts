/**
 * A small strict XML 1.0 reader for the tests: it checks well-formedness (one root, nested tags,
 * quoted unique attributes, only the five predefined entities and character references, no `<` or
 * stray `&` in text or attributes, no character XML cannot carry) and returns the element tree with
 * decoded text, attribute values normalised as XML parsers do (literal tabs and line breaks become
 * spaces). Throws an Error naming the offset of the first problem.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Decoded character data directly inside the element. */
  text: string;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

export function parseXml(input: string): XmlElement {
  const bad = NOT_XML_CHAR.exec(input);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16)} not allowed in XML at ${bad.index}`);
  const src = input.replace(/\r\n?/g, '\n');
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${pos}: ${JSON.stringify(src.slice(pos, pos + 40))}`);
  };
  const decode = (raw: string, where: string): string => {
    if (raw.includes('<')) fail(`'<' in ${where}`);
    return raw.replace(/&([^;&\s]*);?/g, (m, ref: string) => {
      if (!m.endsWith(';')) fail(`unterminated reference '&${ref}' in ${where}`);
      if (Object.hasOwn(ENTITIES, ref)) return ENTITIES[ref]!;
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
      if (!num) fail(`unknown entity '&${ref};' in ${where}`);
      const cp = num![1] !== undefined ? parseInt(num![1], 16) : Number(num![2]);
      if (!isXmlChar(cp)) fail(`reference to a character XML cannot carry in ${where}`);
      return String.fromCodePoint(cp);
    });
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) fail('name expected');
    pos += m![0].length;
    return m![0];
  };
  const skipSpace = (): void => {
    while (pos < src.length && /\s/.test(src[pos]!)) pos++;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', pos)) {
        const end = src.indexOf('-->', pos + 4);
        if (end < 0 || src.slice(pos + 4, end).includes('--')) fail('bad comment');
        pos = end + 3;
      } else return;
    }
  };

  const element = (): XmlElement => {
    if (src[pos] !== '<') fail("'<' expected");
    pos++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = pos;
      skipSpace();
      if (src.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (src[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('space expected between attributes');
      const key = name();
      skipSpace();
      if (src[pos] !== '=') fail("'=' expected");
      pos++;
      skipSpace();
      const quote = src[pos];
      if (quote !== '"' && quote !== "'") fail('quoted attribute value expected');
      const end = src.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      if (Object.hasOwn(el.attributes, key)) fail(`duplicate attribute ${key}`);
      // attribute-value normalisation: literal whitespace characters become spaces
      el.attributes[key] = decode(src.slice(pos + 1, end).replace(/[\t\n]/g, ' '), `attribute ${key}`);
      pos = end + 1;
    }
    for (;;) {
      const lt = src.indexOf('<', pos);
      if (lt < 0) fail(`</${el.name}> expected`);
      const raw = src.slice(pos, lt);
      if (raw.includes(']]>')) fail("']]>' in text");
      el.text += decode(raw, `text of ${el.name}`);
      pos = lt;
      if (src.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${el.name}> expected, found </${closing}>`);
        skipSpace();
        if (src[pos] !== '>') fail("'>' expected");
        pos++;
        return el;
      }
      if (src.startsWith('<!--', pos)) {
        skipMisc();
        continue;
      }
      if (src.startsWith('<![CDATA[', pos)) {
        const end = src.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        el.text += src.slice(pos + 9, end);
        pos = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };

  if (src.startsWith('<?xml')) {
    const end = src.indexOf('?>');
    if (end < 0 || !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][\w.-]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(src.slice(0, end + 2))) fail('bad XML declaration');
    pos = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== src.length) fail('content after the root element');
  return root;
}

/** Every descendant element named `name`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (el: XmlElement): void => {
    for (const child of el.children) {
      if (child.name === name) out.push(child);
      visit(child);
    }
  };
  visit(root);
  return out;
}
