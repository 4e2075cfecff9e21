#!/usr/bin/env node
// docs/proxies.md shows the proxy recipes of deploy/proxy/ verbatim; this keeps them equal.
// Each recipe in the page sits in the fenced block right after a marker line
//   <!-- recipe: deploy/proxy/<file> -->
// `node scripts/proxy-recipes.mjs` rewrites those blocks from the files; `--check` changes nothing and
// exits 1 naming every block that differs, every marker without a block and every recipe file the
// page does not show (the proxy test suite runs it, so the page cannot drift from what the tests run).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const pagePath = join(repo, 'docs', 'proxies.md');
const recipeDir = join(repo, 'deploy', 'proxy');
const MARKER = /^<!-- recipe: (deploy\/proxy\/[^ ]+) -->$/;

/** The page with every recipe block replaced by its file, and the problems found on the way. */
export function renderPage(page, readRecipe) {
  const lines = page.split('\n');
  const out = [];
  const problems = [];
  const shown = new Set();
  for (let i = 0; i < lines.length; i += 1) {
    out.push(lines[i]);
    const marker = MARKER.exec(lines[i]);
    if (!marker) continue;
    const file = marker[1];
    const fence = lines[i + 1] ?? '';
    if (!/^```[a-z]*$/.test(fence)) {
      problems.push(`${file}: the marker on line ${i + 1} is not followed by a fenced block`);
      continue;
    }
    let end = i + 2;
    while (end < lines.length && lines[end] !== '```') end += 1;
    if (end >= lines.length) {
      problems.push(`${file}: the block after line ${i + 1} is not closed`);
      continue;
    }
    let text;
    try {
      text = readRecipe(file);
    } catch (err) {
      problems.push(`${file}: ${err.message}`);
      continue;
    }
    if (!text.endsWith('\n') || text.includes('\n```')) {
      problems.push(`${file}: must end with a newline and contain no line starting with \`\`\``);
      continue;
    }
    shown.add(file);
    out.push(fence, ...text.slice(0, -1).split('\n'), '```');
    i = end;
  }
  return { text: out.join('\n'), problems, shown };
}

function main() {
  const check = process.argv.includes('--check');
  const page = readFileSync(pagePath, 'utf8');
  const { text, problems, shown } = renderPage(page, (file) => readFileSync(join(repo, file), 'utf8'));
  for (const file of readdirSync(recipeDir)) {
    if (!shown.has(`deploy/proxy/${file}`)) problems.push(`deploy/proxy/${file}: not shown in docs/proxies.md`);
  }
  if (check && text !== page) problems.push('docs/proxies.md: a recipe block differs from its file (run node scripts/proxy-recipes.mjs)');
  if (problems.length > 0) {
    for (const problem of problems) console.error(`proxy-recipes: ${problem}`);
    process.exit(1);
  }
  if (!check && text !== page) {
    writeFileSync(pagePath, text);
    console.log('proxy-recipes: docs/proxies.md updated');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
