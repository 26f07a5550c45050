// String merging for the linker's merged string sections (`.debug_str`, and data segments with the
// STRINGS flag), as llvm's StringTableBuilder does it in wasm-ld's default -O1 (RAW kind, tail
// merged): the distinct NUL-terminated strings of all inputs, sorted by their reversed bytes in
// descending order, each string that is a suffix of the one placed just before it sharing that
// string's tail instead of being written again. src/link/merge-strings.ts calls it (mergeStrings)
// and says what wasm-ld does with the result.
//
// Two calls: count_strings, then merge_strings with room the caller sized from the count.

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;

// The inputs: `n` records of two words, the address of an input's bytes and their length.

// How many strings the inputs hold (each ends at a NUL), or -1 when one does not end in NUL.
__attribute__((export_name("count_strings")))
i32 count_strings(const u32 *inputs, u32 n) {
  u32 count = 0;
  for (u32 i = 0; i < n; i++) {
    const u8 *data = (const u8 *)(unsigned long)inputs[2 * i];
    u32 len = inputs[2 * i + 1];
    if (len > 0 && data[len - 1] != 0) return -1;
    for (u32 k = 0; k < len; k++) count += data[k] == 0;
  }
  return (i32)count;
}

// Orders two strings by their bytes read back to front, a string before any it is a proper
// suffix of (as JavaScript compares the reversed strings: a prefix sorts first).
static int compare_reversed(const u8 *a, u32 la, const u8 *b, u32 lb) {
  u32 n = la < lb ? la : lb;
  for (u32 i = 1; i <= n; i++) {
    u8 x = a[la - i], y = b[lb - i];
    if (x != y) return x < y ? -1 : 1;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

static int same(const u8 *a, const u8 *b, u32 len) {
  for (u32 i = 0; i < len; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

// Merges the inputs' `count` strings (count_strings). Writes, for each string in input order, its
// offset in its input to `starts` and `base` + its offset in the table to `offsets`; for each
// input, how many strings it has to `counts`; the table to `table`. `work` is room for
// 7 * count + hash_size words, `hash_size` a power of two at least twice `count`. Returns the
// table's size.
__attribute__((export_name("merge_strings")))
u32 merge_strings(const u32 *inputs, u32 n, u32 count, i32 *starts, i32 *offsets, u32 *counts, u8 *table, u32 base, u32 *work, u32 hash_size) {
  u32 *id = work;                       // each string's distinct string
  const u8 **ptr = (const u8 **)(id + count); // each distinct string's bytes
  u32 *len = (u32 *)(ptr + count);      // and length (its NUL included)
  u32 *at = len + count;                // and offset in the table
  u32 *order = at + count;              // the distinct strings, sorted
  u32 *tmp = order + count;             // the merge sort's other half
  u32 *key = tmp + count;               // each distinct string's sort key (below)
  i32 *slots = (i32 *)(key + count);    // hash table of distinct strings, -1 when empty
  for (u32 i = 0; i < hash_size; i++) slots[i] = -1;
  u32 distinct = 0;
  u32 s = 0;
  for (u32 i = 0; i < n; i++) {
    const u8 *data = (const u8 *)(unsigned long)inputs[2 * i];
    u32 size = inputs[2 * i + 1];
    u32 first = s;
    for (u32 from = 0; from < size; s++) {
      u32 to = from;
      while (data[to] != 0) to++;
      u32 l = to + 1 - from;
      const u8 *p = data + from;
      u32 h = 0x811c9dc5;
      for (u32 k = 0; k < l; k++) h = (h ^ p[k]) * 0x01000193;
      u32 slot = (h ^ (h >> 16)) & (hash_size - 1);
      for (;;) {
        i32 d = slots[slot];
        if (d < 0) {
          slots[slot] = (i32)distinct;
          ptr[distinct] = p;
          len[distinct] = l;
          // The four bytes before the NUL, last first, 0 past the string's start: a string's bytes
          // before its NUL are never 0, so comparing keys orders as compare_reversed does, up
          // to four bytes; equal keys are compared in full.
          u32 k = 0;
          for (u32 b = 2; b <= 5; b++) k = (k << 8) | (b <= l ? p[l - b] : 0);
          key[distinct] = k;
          id[s] = distinct++;
          break;
        }
        if (len[d] == l && same(ptr[d], p, l)) {
          id[s] = (u32)d;
          break;
        }
        slot = (slot + 1) & (hash_size - 1);
      }
      starts[s] = (i32)from;
      from = to + 1;
    }
    counts[i] = s - first;
  }
  // Bottom-up merge sort of the distinct strings by reversed bytes, ascending.
  for (u32 i = 0; i < distinct; i++) order[i] = i;
  u32 *src = order, *dst = tmp;
  for (u32 width = 1; width < distinct; width *= 2) {
    for (u32 lo = 0; lo < distinct; lo += 2 * width) {
      u32 mid = lo + width < distinct ? lo + width : distinct;
      u32 hi = lo + 2 * width < distinct ? lo + 2 * width : distinct;
      u32 a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        u32 x = src[a], y = src[b];
        int before = key[y] != key[x] ? key[y] < key[x] : compare_reversed(ptr[y], len[y], ptr[x], len[x]) < 0;
        dst[o++] = before ? src[b++] : src[a++];
      }
      while (a < mid) dst[o++] = src[a++];
      while (b < hi) dst[o++] = src[b++];
    }
    u32 *t = src;
    src = dst;
    dst = t;
  }
  // Placed in descending order; a string that ends the string placed before it shares its tail.
  u32 size = 0;
  i32 previous = -1;
  for (u32 i = distinct; i-- > 0;) {
    u32 d = src[i];
    u32 l = len[d];
    if (previous >= 0 && len[previous] >= l && same(ptr[previous] + len[previous] - l, ptr[d], l)) {
      at[d] = size - l;
      continue;
    }
    at[d] = size;
    for (u32 k = 0; k < l; k++) table[size + k] = ptr[d][k];
    size += l;
    previous = (i32)d;
  }
  for (u32 i = 0; i < count; i++) offsets[i] = (i32)(base + at[id[i]]);
  return size;
}
