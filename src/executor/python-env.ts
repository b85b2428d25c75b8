/** Environment for every Python worker: a fixed hash seed so set and dict order of strings agree. */
export const PYTHON_ENV: Record<string, string> = { PYTHONHASHSEED: '0', HOME: '/home/pyodide' };
