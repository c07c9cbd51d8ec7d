// Child process of pubmed-parse.bench.ts: streams one efetch file through parsePubmedXml and
// prints {records, seconds, maxRssMb} as JSON. Separate process so peak RSS is the parser's own.
import { createReadStream } from 'node:fs';
import { parsePubmedXml } from '../src/sources/pubmed/parse.js';

const file = process.argv[2]!;
const t0 = performance.now();
let records = 0;
let withTitle = 0;
for await (const r of parsePubmedXml(createReadStream(file, { highWaterMark: 256 * 1024 }))) {
  records++;
  if (r.title) withTitle++; // touch the result so nothing is optimised away
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ records, withTitle, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
