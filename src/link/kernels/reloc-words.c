// The loop that patches a custom section's relocations when every one is a 32-bit little-endian
// word: DWARF's offsets into other debug sections and into the code section (53,000 of the
// 63,000 relocations of emscripten's libc-mt.a). Compiled to wasm (build.sh beside this file) and
// called by relocations.ts writeCustomChunks, which copies the sections' bytes, their `reloc.*`
// entries and a table of each object's symbols into this module's memory first (index.ts). In
// JavaScript, which the linker runs unoptimised, this loop cost about 570 ns per relocation.
//
// It takes only what it can do exactly as the checked path would (relocations.ts
// relocateCustomInto), and gives up (returns -1) at anything else, before the caller has written a
// byte of the output: an unknown type or one that is not a 32-bit word, a bad LEB, offsets not
// increasing by at least 4 (so no two slots overlap), an offset past the section, a symbol index
// out of range or naming a symbol of a kind the type does not take, trailing bytes. The values of
// R_WASM_FUNCTION_OFFSET_I32 and R_WASM_SECTION_OFFSET_I32 (the commonest) and the tombstones of
// relocations against dead code are computed here; any other type is listed in `pending` for the
// caller, which computes those (a data symbol's address, a table slot…) after the bytes are copied.

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;

// Per relocation type (0-63), two bytes: flags (TYPE_WORD: a 32-bit word, TYPE_ADDEND: the entry
// has an addend) and the bit set of symbol kinds its index may name.
#define TYPE_WORD 1
#define TYPE_ADDEND 2
#define TYPE_COUNT 64

#define R_FUNCTION_OFFSET_I32 8
#define R_SECTION_OFFSET_I32 9

// A symbol, as relocations.ts symbolTable writes it: five words.
#define SYM_WORDS 5
#define SYM_KIND 0 /* the symbol-table entry's kind, -1 when the index names no entry */
#define SYM_DEAD 1 /* 1 when relocations against it get the tombstone */
#define SYM_FUNC_OFFSET 2 /* its function's offset in the code section, 0 without one */
#define SYM_SECTION_MODE 3 /* 0: no section (the value is the addend); 1: SYM_SECTION_BASE + addend; 2: merged strings */
#define SYM_SECTION_BASE 4 /* the section's output offset, or with mode 2 the address of its piece table */

static int read_u32(const u8 **at, const u8 *end, u32 *out) {
  const u8 *p = *at;
  u32 result = 0;
  for (int i = 0; i < 5; i++) {
    if (p >= end) return 0;
    u32 b = *p++;
    if (i == 4 && (b & 0xf0)) return 0;
    result |= (b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *at = p;
      *out = result;
      return 1;
    }
  }
  return 0;
}

static int read_s32(const u8 **at, const u8 *end, i32 *out) {
  const u8 *p = *at;
  u32 result = 0;
  for (int i = 0; i < 5; i++) {
    if (p >= end) return 0;
    u32 b = *p++;
    if (i == 4) {
      // Bits 4-6 of the fifth byte lie beyond bit 31 and must repeat the sign (bit 3).
      u32 high = b & 0x78;
      if ((b & 0x80) || (high != 0 && high != 0x78)) return 0;
      *at = p;
      *out = (i32)(result | (b << 28));
      return 1;
    }
    result |= (b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      u32 shift = 7 * (i + 1);
      if (b & 0x40) result |= ~0u << shift;
      *at = p;
      *out = (i32)result;
      return 1;
    }
  }
  return 0;
}

// Where byte `offset` of a merged string section went: the table is the string count n, then the
// n input offsets (ascending, the first 0), then the n output offsets.
static u32 piece_offset(const i32 *table, i32 offset) {
  i32 n = table[0];
  const i32 *starts = table + 1;
  const i32 *outputs = table + 1 + n;
  i32 lo = 0, hi = n - 1;
  while (lo < hi) {
    i32 mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return (u32)outputs[lo] + ((u32)offset - (u32)starts[lo]);
}

// Patches `payload` (`size` bytes) by the `reloc.*` section body [rel, rel + rel_size): the target
// section index, the count, the entries. Returns how many entries went to `pending` (four words
// each: type, offset, symbol index, addend), or -1 to give up.
static i32 reloc_words(u8 *payload, u32 size, const u8 *rel, u32 rel_size, const i32 *symbols, u32 symbol_count,
                const u8 *types, u32 tombstone, u32 has_tombstone, i32 *pending) {
  const u8 *p = rel;
  const u8 *end = rel + rel_size;
  u32 target, n;
  if (!read_u32(&p, end, &target) || !read_u32(&p, end, &n)) return -1;
  if ((u64)n * 3 > (u64)(end - p)) return -1;
  i32 npending = 0;
  u64 next = 0; // the lowest offset the next entry may have
  for (u32 i = 0; i < n; i++) {
    u32 type, offset, index;
    i32 addend = 0;
    if (!read_u32(&p, end, &type) || type >= TYPE_COUNT) return -1;
    u32 flags = types[2 * type];
    if (!(flags & TYPE_WORD)) return -1;
    if (!read_u32(&p, end, &offset) || offset < next || (u64)offset + 4 > size) return -1;
    next = (u64)offset + 4;
    if (!read_u32(&p, end, &index) || index >= symbol_count) return -1;
    const i32 *s = symbols + SYM_WORDS * index;
    if (s[SYM_KIND] < 0 || !((1u << s[SYM_KIND]) & types[2 * type + 1])) return -1;
    if ((flags & TYPE_ADDEND) && !read_s32(&p, end, &addend)) return -1;
    u32 value;
    if (s[SYM_DEAD]) {
      value = has_tombstone ? tombstone : (u32)addend;
    } else if (type == R_SECTION_OFFSET_I32) {
      i32 mode = s[SYM_SECTION_MODE];
      value = mode == 0 ? (u32)addend
            : mode == 1 ? (u32)s[SYM_SECTION_BASE] + (u32)addend
            : piece_offset((const i32 *)(unsigned long)(u32)s[SYM_SECTION_BASE], addend);
    } else if (type == R_FUNCTION_OFFSET_I32) {
      value = (u32)s[SYM_FUNC_OFFSET] + (u32)addend;
    } else {
      i32 *e = pending + 4 * npending++;
      e[0] = (i32)type;
      e[1] = (i32)offset;
      e[2] = (i32)index;
      e[3] = addend;
      continue;
    }
    u8 *o = payload + offset;
    o[0] = value & 0xff;
    o[1] = (value >> 8) & 0xff;
    o[2] = (value >> 16) & 0xff;
    o[3] = value >> 24;
  }
  return p == end ? npending : -1;
}

// One call for all the relocated chunks of an output section (a call from JavaScript costs about a
// microsecond, a chunk's relocations often less): `jobs` holds JOB_WORDS words per chunk, the
// inputs of reloc_words and two results, written here: how many entries it handed back (or -1)
// and where in `pending` they start. Returns the number of pending entries in all.
#define JOB_WORDS 10
__attribute__((export_name("reloc_chunks")))
i32 reloc_chunks(i32 *jobs, u32 njobs, const u8 *types, i32 *pending) {
  i32 total = 0;
  for (u32 j = 0; j < njobs; j++) {
    i32 *job = jobs + JOB_WORDS * j;
    i32 *at = pending + 4 * total;
    i32 n = reloc_words((u8 *)(unsigned long)(u32)job[0], (u32)job[1], (const u8 *)(unsigned long)(u32)job[2], (u32)job[3],
                        (const i32 *)(unsigned long)(u32)job[4], (u32)job[5], types, (u32)job[6], (u32)job[7], at);
    job[8] = n;
    job[9] = total;
    if (n > 0) total += n;
  }
  return total;
}
