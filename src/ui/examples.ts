/** Programs for the executor playground: some valid, some that the sandbox must refuse. */
export interface Example {
  name: string;
  code: string;
  input: string;
}

export const EXAMPLES: Example[] = [
  {
    name: 'Reverse the words',
    code: "def f(text):\n    words = text.split()\n    return ' '.join(reversed(words))",
    input: "'self play from zero'",
  },
  {
    name: 'Count letters',
    code: 'from collections import Counter\n\ndef f(s):\n    return sorted(Counter(s).items())[:3]',
    input: "'abracadabra'",
  },
  {
    name: 'Infinite loop',
    code: 'def f(n):\n    while True:\n        n += 1\n    return n',
    input: '0',
  },
  {
    name: 'Import os',
    code: "import os\n\ndef f(x):\n    return os.listdir('/')",
    input: '1',
  },
  {
    name: 'Random',
    code: 'import random\n\ndef f(x):\n    return x + random.random()',
    input: '1',
  },
  {
    name: 'Not a literal',
    code: 'def f(x):\n    return object()',
    input: '1',
  },
];
