/** Python source, highlighted by token kind; the text is rendered as text, never as HTML. */
import { type CSSProperties, type ReactNode, useMemo } from 'react';
import { codeLines, highlightPython, type Token } from './python-highlight';
import './code.css';

export interface CodeProps {
  code: string;
  /** extra class on the <pre>, e.g. to limit its height */
  className?: string;
  /**
   * Wrap a line too long for the box: only between tokens, never inside a name, number or string,
   * and with its continuation indented past the line's own indentation.
   */
  wrap?: boolean;
}

// whitespace and unknown characters need no span
const tokenNode = (t: Token, key: number): ReactNode =>
  t.kind === 'plain' ? (
    t.text
  ) : (
    <span key={key} className={`py-${t.kind}`}>
      {t.text}
    </span>
  );

const endsInSpace = (t: Token) => /\s$/.test(t.text);
const startsWithSpace = (t: Token) => /^\s/.test(t.text);

/** A line's tokens, with a break opportunity (<wbr>) wherever two tokens meet without a space. */
function breakableTokens(tokens: Token[]): ReactNode[] {
  return tokens.flatMap((t, i) => {
    const previous = tokens[i - 1];
    const node = tokenNode(t, i);
    return previous && !endsInSpace(previous) && !startsWithSpace(t) ? [<wbr key={`b${i}`} />, node] : [node];
  });
}

/** Python text within a line (a call, an output): it wraps like <Code wrap>, only between tokens. */
export function CodeText({ text }: { text: string }) {
  const tokens = useMemo(() => highlightPython(text), [text]);
  return <span className="code-text">{breakableTokens(tokens)}</span>;
}

export function Code({ code, className, wrap = false }: CodeProps) {
  const tokens = useMemo(() => highlightPython(code), [code]);
  const classes = ['code', wrap ? 'wrap' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <pre className={classes}>
      <code>
        {wrap
          ? codeLines(tokens).map((line, i, lines) => (
              <span key={i} className="code-row" style={{ '--indent': `${line.indent}ch` } as CSSProperties}>
                {breakableTokens(line.tokens)}
                {i < lines.length - 1 ? '\n' : null}
              </span>
            ))
          : tokens.map(tokenNode)}
      </code>
    </pre>
  );
}
