import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, escapeHtml, markdownCell, stripControl, toWellFormed, truncate } from '../src/output/sanitize.js';

/** Any UTF-16 code unit, lone surrogates and controls included: log bytes decoded by anyone. */
const anyUnit = fc.nat(0xffff).map((n) => String.fromCharCode(n));
const anyText = fc.string({ unit: anyUnit, maxLength: 60 });
/** Text biased towards the characters the helpers must handle. */
const nastyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u001b', '\r', '\n', '\t', '\u0007', '\u007f', '\u009b', '\u202e', '\u2066', '\u2028', '\ud800', '\udc00'),
    fc.constantFrom('=', '+', '-', '@', '|', '\\', '`', '<', '>', '*', '_', '[', ']', '"', ',', ';', "'", '&', '#', ' ', '1', '.'),
    fc.string({ maxLength: 3 }),
  ),
  maxLength: 40,
});

/** Characters that must never survive stripControl raw. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('stripControl', () => {
  it('shows C0, DEL and C1 controls as \\xNN escapes', () => {
    expect(stripControl('a\u001b[31mb')).toBe('a\\x1B[31mb');
    expect(stripControl('cr\rlf\nbel\u0007tab\tdel\u007f')).toBe('cr\\x0Dlf\\x0Abel\\x07tab\\x09del\\x7F');
    expect(stripControl('csi\u009b2J nul\u0000')).toBe('csi\\x9B2J nul\\x00');
  });

  it('shows bidi overrides and isolates as \\u{…} escapes', () => {
    expect(stripControl('evil\u202Emoc.elgoog')).toBe('evil\\u{202E}moc.elgoog');
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(stripControl(`x${String.fromCodePoint(cp)}y`)).toBe(`x\\u{${cp.toString(16).toUpperCase()}}y`);
    }
  });

  it('leaves ordinary text alone, backslashes and non-Latin scripts included', () => {
    const text = 'EX01\\Default Frontend EX01 · ümlaut 日本語 😀 <b>';
    expect(stripControl(text)).toBe(text);
  });

  it('replaces lone surrogates and keeps pairs', () => {
    expect(stripControl('a\ud800b\udc00c')).toBe('a\ufffdb\ufffdc');
    expect(toWellFormed('😀')).toBe('😀');
    expect(toWellFormed('\udc00\ud83d\ude00\ud800')).toBe('\ufffd😀\ufffd');
  });

  it('never lets a control, bidi or lone surrogate through, and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nastyText), (text) => {
        const out = stripControl(text);
        expect(FORBIDDEN.test(out)).toBe(false);
        expect(LONE.test(out)).toBe(false);
        expect(stripControl(out)).toBe(out);
      }),
    );
  });
});

describe('csvCell', () => {
  it('neutralises formula starts in strings with a leading quote', () => {
    expect(csvCell('=cmd|\' /C calc\'!A0')).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('\tx')).toBe("'\\x09x");
    expect(csvCell('\rx')).toBe("'\\x0Dx");
    expect(csvCell('  =1+1')).toBe("'  =1+1");
    expect(csvCell('\uff1d1+1')).toBe("'\uff1d1+1");
  });

  it('keeps numbers as numbers, negative ones included', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes per RFC 4180 (and on `;`, which many Excel locales split on)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('round-trips through a CSV parser and never yields a formula cell', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nastyText), (text) => {
        const line = `${csvCell(text)},${csvCell(text)}`;
        const rows = parse(line, { relax_column_count: false }) as string[][];
        expect(rows).toHaveLength(1);
        const [a, b] = rows[0] ?? [];
        expect(a).toBe(b);
        expect(a).not.toMatch(/^ *[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/);
        expect(FORBIDDEN.test(a ?? '')).toBe(false);
        // Nothing but the guard quote is added to the (escaped) text.
        expect([stripControl(text), `'${stripControl(text)}`]).toContain(a);
      }),
    );
  });
});

describe('markdownCell', () => {
  it('escapes the table pipe and Markdown punctuation', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('<script>alert(1)</script>')).toBe('\\<script\\>alert(1)\\</script\\>');
    expect(markdownCell('![x](javascript:alert(1))')).toBe('!\\[x\\](javascript:alert(1))');
    expect(markdownCell('`code` *b* _i_ ~s~ \\ &amp;')).toBe('\\`code\\` \\*b\\* \\_i\\_ \\~s\\~ \\\\ \\&amp;');
  });

  it('turns line breaks into spaces and shows other controls', () => {
    expect(markdownCell('a\r\nb\nc\rd')).toBe('a b c d');
    expect(markdownCell('x\u001b[31m')).toBe('x\\\\x1B\\[31m');
  });

  it('cannot start a list or a heading', () => {
    expect(markdownCell('- item')).toBe('\\- item');
    expect(markdownCell('# head')).toBe('\\# head');
    expect(markdownCell('1. item')).toBe('1\\. item');
    expect(markdownCell('10.20.4.17')).toBe('10.20.4.17');
  });

  it('defangs what GitHub-style renderers link on their own: http(s)://, www. and e-mail addresses', () => {
    expect(markdownCell('see https://evil.example/x')).toBe('see https\\[:\\]//evil.example/x');
    expect(markdownCell('HTTP://evil.example')).toBe('HTTP\\[:\\]//evil.example');
    expect(markdownCell('WWW.evil.example and www.x')).toBe('WWW\\[.\\]evil.example and www\\[.\\]x');
    expect(markdownCell('MAIL FROM:<a.b+c@evil.example>')).toBe('MAIL FROM:\\<a.b+c\\[@\\]evil.example\\>');
    expect(markdownCell('mailto:a@b.example')).toBe('mailto:a\\[@\\]b.example');
    // Ordinary log text is left as it was.
    expect(markdownCell('EX01\\Default Frontend EX01 10.20.4.17:25')).toBe('EX01\\\\Default Frontend EX01 10.20.4.17:25');
  });

  it('leaves no autolink for any input: no `://`, `www.` or `@` outside the escaped brackets', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nastyText, fc.stringMatching(/^(?:[a-zA-Z@.:/ ]|www\.|WwW\.|https?:\/\/|HTTP:\/\/|@)*$/)), (text) => {
        // What a renderer shows: escapes resolved. The defanged forms are the only ones left.
        const shown = markdownCell(text).replace(/\\([\s\S])/g, '$1').replace(/\[:\]\/\/|www\[\.\]|\[@\]/gi, ' ');
        expect(shown).not.toMatch(/:\/\/|www\.|@/i);
      }),
    );
  });

  it('leaves no unescaped markup, pipe or line break for any input', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, nastyText), (text) => {
        const out = markdownCell(text);
        // Drop every backslash escape pair; what remains must be inert.
        const bare = out.replace(/\\[\s\S]/g, '');
        expect(bare).not.toMatch(/[|`<>*_[\]~&\\\r\n]/);
        expect(FORBIDDEN.test(out)).toBe(false);
      }),
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('leaves no raw markup character for any input', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(escapeHtml(text)).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/);
      }),
    );
  });
});

describe('truncate', () => {
  it('cuts by code points with an ellipsis, never inside a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
    expect(truncate('😀😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', Number.POSITIVE_INFINITY)).toBe('abc');
  });

  it('returns at most max code points, and the input when it fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.nat(40), (text, max) => {
        const out = truncate(text, max);
        const points = Array.from(out);
        expect(points.length).toBeLessThanOrEqual(max);
        if (Array.from(text).length <= max) expect(out).toBe(text);
        else expect(points[points.length - 1] ?? '…').toBe('…');
      }),
    );
  });
});
