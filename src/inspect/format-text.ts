// Human-readable rendering of an inspect report: one titled group per topic, columns aligned,
// empty groups left out. `groups` selects what to print (`--section`); the JSON form is the
// report itself.

import type { ArchiveReport, DisassemblyReport, InspectReport, ModuleReport, RelocationSectionReport } from './report.js';

/** Printable groups, in output order; `--section` takes these names. */
export const REPORT_GROUPS = [
  'summary',
  'sections',
  'imports',
  'exports',
  'functions',
  'tables',
  'memories',
  'globals',
  'data',
  'symbols',
  'segments',
  'init-funcs',
  'comdats',
  'relocations',
  'features',
  'producers',
  'tls',
  'thread-abi',
  'code',
] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

/** Columns padded to the widest cell; the last column is not padded. */
function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** Longest raw-bytes column in listings before it stops aligning (9 bytes, as wasm-objdump). */
const LISTING_BYTES_WIDTH = 26;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function group(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : [`${title}:`, ...lines, ''];
}

function summary(r: ModuleReport): string[] {
  const defined = r.functions.filter((f) => f.import === undefined).length;
  return [
    `${r.file}: wasm ${r.kind}, version ${r.version}, ${r.size} bytes`,
    `  functions: ${r.functions.length - defined} imported, ${defined} defined; types: ${r.types}; globals: ${r.globals.length}; data segments: ${r.dataSegments.length}; tags: ${r.tags}${r.start !== undefined ? `; start: ${r.start}` : ''}`,
    '',
  ];
}

function sections(r: ModuleReport): string[] {
  return group('sections', table([['#', 'name', 'offset', 'size', 'count'], ...r.sections.map((s) => [String(s.index), s.name, hex(s.offset), String(s.size), s.count === undefined ? '' : String(s.count)])]));
}

function imports(r: ModuleReport): string[] {
  return group('imports', table(r.imports.map((i) => [`${i.kind}[${i.index}]`, `${i.module}.${i.name}`, i.type])));
}

function exports(r: ModuleReport): string[] {
  return group('exports', table(r.exports.map((e) => [`${e.kind}[${e.index}]`, e.name])));
}

function functions(r: ModuleReport): string[] {
  return group('functions', table(r.functions.map((f) => [`[${f.index}]`, f.name ?? '', f.type, f.import ? `<- ${f.import}` : `body ${hex(f.bodyOffset ?? 0)} size ${f.bodySize}`])));
}

function tables(r: ModuleReport): string[] {
  return group('tables', table(r.tables.map((t) => [`[${t.index}]`, t.elemType, `min=${t.min}${t.max !== undefined ? ` max=${t.max}` : ''}`, t.import ? `<- ${t.import}` : ''])));
}

function memories(r: ModuleReport): string[] {
  return group('memories', table(r.memories.map((m) => [`[${m.index}]`, `min=${m.min}`, m.max !== undefined ? `max=${m.max}` : 'no max', m.shared ? 'shared' : 'unshared', m.memory64 ? 'i64' : 'i32', m.import ? `<- ${m.import}` : ''])));
}

function globals(r: ModuleReport): string[] {
  return group('globals', table(r.globals.map((g) => [`[${g.index}]`, g.name ?? '', `${g.mutable ? 'mut ' : ''}${g.type}`, g.import ? `<- ${g.import}` : `= ${g.init}`])));
}

function data(r: ModuleReport): string[] {
  return group('data segments', table(r.dataSegments.map((d) => [`[${d.index}]`, d.name ?? '', d.mode, d.address !== undefined ? `at ${hex(d.address)}` : (d.offsetExpr ?? ''), `size ${d.size}`, `file ${hex(d.fileOffset)}`])));
}

function symbols(r: ModuleReport): string[] {
  const where = (s: ModuleReport['symbols'][number]) => {
    if (s.kind === 'data') return s.segment === undefined ? '' : `segment=${s.segment} offset=${s.offset} size=${s.size}`;
    if (s.kind === 'section') return `section=${s.section}`;
    return `index=${s.elementIndex}`;
  };
  return group('symbols', table(r.symbols.map((s) => [`${s.index}:`, s.kind, s.name, where(s), s.flagNames.length ? `[${s.flagNames.join(' ')}]` : ''])));
}

function segments(r: ModuleReport): string[] {
  return group('segment info', table(r.segmentInfo.map((s) => [`[${s.index}]`, s.name, `align=${s.alignment}`, s.size !== undefined ? `size=${s.size}` : '', s.flagNames.length ? `[${s.flagNames.join(' ')}]` : ''])));
}

function initFuncs(r: ModuleReport): string[] {
  return group('init functions', table(r.initFuncs.map((f) => [`priority ${f.priority}`, `symbol ${f.symbol}`, f.name ?? ''])));
}

function comdats(r: ModuleReport): string[] {
  return group('comdats', r.comdats.flatMap((c) => [`  ${c.name}`, ...table(c.entries.map((e) => [e.kind, String(e.index), e.name ?? '']), '    ')]));
}

function relocationSection(s: RelocationSectionReport): string[] {
  const rows = s.entries.map((e) => [e.type, `offset=${hex(e.offset)}`, `(file ${hex(e.fileOffset)})`, `${e.index}${e.symbol !== undefined ? ` <${e.symbol}>` : ''}${e.addend ? (e.addend > 0 ? `+${e.addend}` : String(e.addend)) : ''}`]);
  return [`  ${s.name} -> ${s.targetName} (section ${s.targetSection}), ${s.entries.length} entries`, ...table(rows, '    ')];
}

function relocations(r: ModuleReport): string[] {
  return group('relocations', r.relocations.flatMap(relocationSection));
}

function features(r: ModuleReport): string[] {
  return group('target features', r.targetFeatures.length ? [`  ${r.targetFeatures.join(' ')}`] : []);
}

function producers(r: ModuleReport): string[] {
  return group('producers', table(Object.entries(r.producers).map(([field, values]) => [field, values.map((v) => (v.version ? `${v.name} ${v.version}` : v.name)).join(', ')])));
}

function tls(r: ModuleReport): string[] {
  const t = r.tls;
  const lines: string[] = [];
  for (const s of t.segments) lines.push(`  segment [${s.index}] ${s.name ?? ''} size=${s.size}${s.alignment !== undefined ? ` align=${s.alignment}` : ''} (TLS by ${s.reason === 'flag' ? 'segment flag' : 'name'})`);
  if (t.tlsSize !== undefined || t.tlsAlign !== undefined) lines.push(`  __tls_size = ${t.tlsSize ?? '?'}, __tls_align = ${t.tlsAlign ?? '?'}`);
  if (t.tlsBase) lines.push(`  __tls_base: global ${t.tlsBase.global}${t.tlsBase.mutable ? ' (mutable)' : ' (immutable)'}${t.tlsBase.import ? ` <- ${t.tlsBase.import}` : ` = ${t.tlsBase.init}`}`);
  if (t.initTls) lines.push(`  __wasm_init_tls: function ${t.initTls.function}${t.initTls.exported ? ', exported' : ', not exported'}`);
  if (t.symbols.length) lines.push(`  TLS symbols: ${t.symbols.join(', ')}`);
  if (t.users.length) lines.push('  used by:', ...table(t.users.map((u) => [`[${u.function}]`, u.name ?? '', u.via.join(', ')]), '    '));
  return group('TLS', lines);
}

function threadAbi(r: ModuleReport): string[] {
  const a = r.threadAbi;
  return ['thread ABI:', `  ${a.abi}`, ...a.reasons.map((x) => `    - ${x}`), ''];
}

function code(r: ModuleReport): string[] {
  return group('code', (r.disassembly ?? []).flatMap(functionListing));
}

/**
 * Nesting shown by indentation at most this deep; deeper blocks say their depth instead (a body of
 * 200,000 nested blocks would otherwise print gigabytes of spaces).
 */
const MAX_INDENT_DEPTH = 32;

function indent(depth: number): string {
  return depth <= MAX_INDENT_DEPTH ? '  '.repeat(depth) : `${'  '.repeat(MAX_INDENT_DEPTH)}[depth ${depth}] `;
}

function functionListing(d: DisassemblyReport): string[] {
  const head = `func[${d.function}]${d.name ? ` <${d.name}>` : ''}:`;
  const out = [head];
  if (d.locals.length) out.push(`   locals: ${d.locals.join(', ')}`);
  let widest = 0;
  for (const i of d.instructions) widest = Math.max(widest, i.bytes.length);
  const width = Math.min(LISTING_BYTES_WIDTH, widest);
  for (const i of d.instructions) out.push(` ${i.offset.toString(16).padStart(6, '0')}: ${i.bytes.padEnd(width)} | ${indent(i.depth)}${i.text}`);
  return out;
}

const RENDERERS: Record<ReportGroup, (r: ModuleReport) => string[]> = {
  summary,
  sections,
  imports,
  exports,
  functions,
  tables,
  memories,
  globals,
  data,
  symbols,
  segments,
  'init-funcs': initFuncs,
  comdats,
  relocations,
  features,
  producers,
  tls,
  'thread-abi': threadAbi,
  code,
};

function formatModule(r: ModuleReport, groups: readonly ReportGroup[]): string[] {
  return groups.flatMap((g) => RENDERERS[g](r));
}

function formatArchive(r: ArchiveReport, groups: readonly ReportGroup[]): string[] {
  const lines = [`${r.file}: archive, ${r.members.length} members, ${r.indexSymbols} index symbols, ${r.size} bytes`, ''];
  for (const m of r.members) {
    if (m.report) lines.push(...formatModule(m.report, groups));
    else lines.push(`${r.file}(${m.name}): skipped: ${m.error}`, '');
  }
  return lines;
}

/** The report as text; `groups` defaults to everything except disassembly unless it is present. */
export function formatReport(r: InspectReport, groups: readonly ReportGroup[] = REPORT_GROUPS): string {
  const lines = r.kind === 'archive' ? formatArchive(r, groups) : formatModule(r, groups);
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}
