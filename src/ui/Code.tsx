/** Python source, highlighted by token kind; the text is rendered as text, never as HTML. */
import { useMemo } from 'react';
import { highlightPython } from './python-highlight';
import './code.css';

export interface CodeProps {
  code: string;
  /** extra class on the <pre>, e.g. to limit its height */
  className?: string;
}

export function Code({ code, className }: CodeProps) {
  const tokens = useMemo(() => highlightPython(code), [code]);
  return (
    <pre className={className ? `code ${className}` : 'code'}>
      <code>
        {tokens.map((t, i) =>
          // whitespace and unknown characters need no span
          t.kind === 'plain' ? t.text : <span key={i} className={`py-${t.kind}`}>{t.text}</span>,
        )}
      </code>
    </pre>
  );
}
