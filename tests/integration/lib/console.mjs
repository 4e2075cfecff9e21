// A dashboard debug console as a test holds it: the SSE stream /dashboard/api/stream (HTTP Basic
// admin:<password>) of one app, optionally filtered, collecting every `debug` record's JSON (with the
// time it arrived as `receivedAt`). close() ends the stream.
import assert from 'node:assert/strict';

export async function openConsole(server, password, params) {
  const controller = new AbortController();
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${server.httpUrl}/dashboard/api/stream?${query}`, {
    headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  assert.equal(response.status, 200, response.status === 200 ? '' : await response.text());
  const events = [];
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const record = buffered.slice(0, end).split('\n');
          buffered = buffered.slice(end + 2);
          if (!record.includes('event: debug')) continue;
          const data = record.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
          events.push({ ...JSON.parse(data), receivedAt: Date.now() });
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  })();
  return {
    events,
    async close() {
      controller.abort();
      await pump.catch(() => {});
    },
  };
}
