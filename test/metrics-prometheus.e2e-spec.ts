import { randomBytes } from 'node:crypto';
import { makeImage } from './support/images';
import { startPrometheus, TestPrometheus } from './support/prometheus';
import { createTestApp, TestApp } from './support/test-app';
import { eventually, ImageBody, listeningPort, upload, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const TOKEN = 'prometheus-scrape-token-0123456789';
const P50 = 'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{route="/images/:id"}[1m])))';
const UPLOADS = 'sum by (code) (image_uploads_total)';
const METADATA_READS = 'sum(http_request_duration_seconds_count{route="/images/:id",method="GET",status="200"})';

/** Shown in the test output, so a run's log holds the figures a real Prometheus computed. */
function report(promql: string, value: unknown): void {
  process.stdout.write(`prometheus: ${promql} => ${JSON.stringify(value)}\n`);
}

describe('a real Prometheus scraping the app', () => {
  let t: TestApp;
  let prometheus: TestPrometheus;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, MAX_CONTENT_LENGTH: '64KB' } });
    user = await registerUser(t);
    prometheus = await startPrometheus(await listeningPort(t), TOKEN);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await t?.close();
  });

  /** Polls until Prometheus has scraped a state where `promql` is `expected`. */
  async function scraped(promql: string, expected: number): Promise<void> {
    await eventually(
      async () => {
        const [sample] = await prometheus.query(promql);
        expect(Number(sample?.value[1])).toBe(expected);
      },
      30_000,
      250,
    );
  }

  it('sees the request histogram by route template and the uploads by outcome code that the traffic implies', async () => {
    const images = [await makeImage('png'), await makeImage('jpeg'), await makeImage('webp')];
    const created: ImageBody[] = [];
    for (const [i, bytes] of images.entries()) created.push(await uploadImage(t, user, bytes, `ok-${i}.${['png', 'jpg', 'webp'][i]}`));
    await upload(t, user, Buffer.from('plain text'), 'notes.txt').expect(415);
    await upload(t, user, Buffer.from('%PDF-1.7'), 'paper.pdf').expect(415);
    await upload(t, user, randomBytes(100 * 1024), 'huge.png').expect(413);
    await t.http.post('/images').attach('file', images[0], 'anonymous.png').expect(401);

    // Two scrapes with reads between them, so the histogram's rate over the window is not zero.
    const read = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          t.http
            .get(`/images/${created[i % 3].id}`)
            .set(user.auth)
            .expect(200),
        ),
      );
    await read(5);
    await scraped(METADATA_READS, 5);
    await read(20);
    await scraped(METADATA_READS, 25);

    const [p50] = await prometheus.query(P50);
    report(P50, p50?.value[1]);
    const seconds = Number(p50?.value[1]);
    expect(Number.isFinite(seconds)).toBe(true);
    expect(seconds).toBeGreaterThan(0);

    const byCode = Object.fromEntries((await prometheus.query(UPLOADS)).map((s) => [s.metric.code, Number(s.value[1])]));
    report(UPLOADS, byCode);
    expect(byCode).toEqual({ created: 3, UNSUPPORTED_FILE_TYPE: 2, FILE_TOO_LARGE: 1, UNAUTHORIZED: 1 });

    const [up] = await prometheus.query('up{job="image-api"}');
    expect(up?.value[1]).toBe('1');
  });
});
