// Attachments: upload and download throughput (MiB/s) of one file through
// npm start (wrangler dev, local R2), against copying the same file on the
// local disk in the same run; and the Worker's CPU per server-made thumbnail,
// as the difference between image uploads with and without one (the same
// bytes, `thumbnail=client` skips photon).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pngImage } from "../../test/e2e/helpers/images.mjs";

const MiB = 1024 * 1024;
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

function workerCpu(target) {
  return Object.entries(target.cpuByProcess())
    .filter(([k]) => k.startsWith("workerd (Worker)"))
    .reduce((s, [, v]) => s + v, 0);
}

export async function attachments(target, [a, b], { sizeMiB, repeats, image, thumbs, log }) {
  const dir = mkdtempSync(join(tmpdir(), "edge-chat-bench-attach-"));
  try {
    const channelId = await target.dm(a, b);
    const bytes = Buffer.alloc(sizeMiB * MiB);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
    const source = join(dir, "file.bin");
    writeFileSync(source, bytes);
    const upload = (body, name, type, query = "") =>
      fetch(`${target.baseUrl}/api/channels/${channelId}/attachments?name=${name}${query}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${a.token}`, "Content-Type": type },
        body,
      }).then(async (res) => {
        if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
        return (await res.json()).attachment;
      });

    const disk = [];
    const up = [];
    const down = [];
    for (let r = 0; r < repeats; r++) {
      disk.push((await timed(() => copyFileSync(source, join(dir, `copy-${r}.bin`)))).ms);
      // Read from disk as part of the upload, as a client sending a file does.
      const { ms, value: attachment } = await timed(() => upload(readFileSync(source), `f${r}.bin`, "application/octet-stream"));
      up.push(ms);
      const send = await fetch(`${target.baseUrl}/api/channels/${channelId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${a.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ clientMsgId: `bench-${r}`, body: "", attachments: [attachment.id] }),
      });
      const url = (await send.json()).message.attachments[0].url;
      const got = await timed(async () => {
        const res = await fetch(target.baseUrl + url);
        return Buffer.from(await res.arrayBuffer());
      });
      if (!got.value.equals(bytes)) throw new Error("downloaded bytes differ from the upload");
      writeFileSync(join(dir, `down-${r}.bin`), got.value);
      down.push(got.ms);
    }
    const mibps = (ms) => round(sizeMiB / (ms / 1000));
    const result = {
      sizeMiB,
      repeats,
      diskCopyMiBps: mibps(median(disk)),
      uploadMiBps: mibps(median(up)),
      downloadMiBps: mibps(median(down)),
    };
    result.ratio = { upload: round(result.uploadMiBps / result.diskCopyMiBps, 3), download: round(result.downloadMiBps / result.diskCopyMiBps, 3) };
    log(`attachments: ${sizeMiB} MiB upload ${result.uploadMiBps} MiB/s, download ${result.downloadMiBps} MiB/s, disk copy ${result.diskCopyMiBps} MiB/s`);

    const png = pngImage(image.width, image.height);
    const cpuOf = async (query) => {
      const samples = [];
      for (let i = 0; i < thumbs; i++) {
        const before = workerCpu(target);
        await upload(png, `p${i}.png`, "image/png", query);
        samples.push(workerCpu(target) - before);
      }
      return median(samples);
    };
    const withThumb = await cpuOf("");
    const without = await cpuOf("&thumbnail=client");
    result.thumbnail = {
      image: `${image.width}x${image.height} PNG, ${round(png.length / MiB, 2)} MiB`,
      workerCpuMsPerUploadWithThumbnail: round(withThumb * 1000, 0),
      workerCpuMsPerUploadWithout: round(without * 1000, 0),
      workerCpuMsPerThumbnail: round((withThumb - without) * 1000, 0),
    };
    log(`attachments: Worker CPU per server-made thumbnail of a ${result.thumbnail.image}: ${result.thumbnail.workerCpuMsPerThumbnail} ms`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
