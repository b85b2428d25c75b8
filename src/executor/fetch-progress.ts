/** Fetches several files at once and reports the fraction of their bytes received so far. */
export async function fetchWithProgress(urls: string[], onProgress: (fraction: number) => void): Promise<ArrayBuffer[]> {
  const responses = await Promise.all(urls.map((url) => fetch(url)));
  for (const response of responses) {
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
  }
  const totals = responses.map((r) => Number(r.headers.get('Content-Length') ?? 0));
  const total = totals.reduce((a, b) => a + b, 0);
  const received = responses.map(() => 0);
  const report = () => onProgress(total > 0 ? Math.min(1, received.reduce((a, b) => a + b, 0) / total) : 0);
  return Promise.all(
    responses.map(async (response, index) => {
      const reader = response.body!.getReader();
      const chunks: Uint8Array[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received[index]! += value.byteLength;
        report();
      }
      const bytes = new Uint8Array(received[index]!);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return bytes.buffer;
    }),
  );
}
