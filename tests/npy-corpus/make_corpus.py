"""Writes a seeded corpus of valid and damaged .npy files and numpy's verdict on each.

Usage: python3 make_corpus.py OUT_DIR [SEED]

Start from files numpy.save writes (every numeric dtype Constellate reads, both byte orders, C and
Fortran order, format versions 1.0, 2.0 and 3.0), then damage them: bit flips in the preamble and
header, cuts at every header position and inside the data, odd shapes, versions, descr spellings,
keys, non-dict headers, padding garbage, trailing bytes. Each file is loaded with
np.load(path, allow_pickle=False), the reference the project's reader must agree with.

The files lie one after another in OUT_DIR/corpus.bin. OUT_DIR/manifest.json lists, per file:
`offset` and `size` in corpus.bin, `what` (how it was made) and `numpy`, numpy's verdict: either
{"ok": false, "error": "..."} or {"ok": true, ...} with
  dtype          the array's dtype.str ("<f4")
  shape          its shape, decimal strings
  struct         whether the dtype has fields
  declaredShape  the shape the header states (negative dimensions included), decimal strings
  trailing       bytes after the data numpy read
  headerBytes    the header length
  f32            base64 of the array as C-order float32 (2-D numeric arrays of 1 to 100,000 values)
  f64            the same as float64 (float64 arrays only: the reader may scale those to fit float32)
  ints           an integer or bool array's values as decimal strings (1-D or [N, 1], same sizes)
"""
import ast
import base64
import io
import json
import os
import random
import struct
import sys
import tempfile
import warnings

import numpy as np
from numpy.lib import format as npformat

NUMERIC = ['f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1']
MAGIC = b'\x93NUMPY'


def values_for(rng, dtype, count):
    """Random values of `dtype`, some special (signed zeros, infinities, NaN, extremes)."""
    gen = np.random.default_rng(rng.randrange(2 ** 32))
    kind, size = dtype[0], int(dtype[1:])
    if kind == 'b':
        return gen.random(count) < 0.5
    if kind == 'f':
        values = gen.normal(0, 1, count) * 10.0 ** gen.integers(-3, 5, count)
        specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, 65504.0, 1e300, -1e-300, 3.4e38])
        pick = gen.random(count) < 0.1
        values[pick] = specials[gen.integers(0, len(specials), pick.sum())]
        with np.errstate(over='ignore'):
            return values.astype('f%d' % size)
    info = np.iinfo(dtype)
    values = gen.integers(info.min, info.max, count, dtype=dtype, endpoint=True)
    r = gen.random(count)
    values[r < 0.1] = info.max
    values[(r >= 0.1) & (r < 0.2)] = info.min
    small = r >= 0.5
    values[small] = gen.integers(max(info.min, -50), 51, small.sum())
    return values


def saved(array, version):
    buffer = io.BytesIO()
    npformat.write_array(buffer, array, version=version, allow_pickle=False)
    return buffer.getvalue()


def header_end(data):
    """Where the data starts, from the preamble (None when the preamble is not readable)."""
    if len(data) < 10 or data[:6] != MAGIC:
        return None
    if data[6] == 1:
        return 10 + struct.unpack('<H', data[8:10])[0]
    if len(data) < 12:
        return None
    return 12 + struct.unpack('<I', data[8:12])[0]


def build(header, data=b'', major=1, minor=0, pad=True, length=None):
    """A file with a header dict text of our choosing; padded to 64 bytes as numpy does when `pad`."""
    preamble = 10 if major == 1 else 12
    encoded = header.encode('utf8' if major >= 3 else 'latin1')
    if pad:
        encoded += b' ' * ((64 - (preamble + len(encoded) + 1) % 64) % 64) + b'\n'
    n = len(encoded) if length is None else length
    size = struct.pack('<H', n) if major == 1 else struct.pack('<I', n)
    return MAGIC + bytes([major, minor]) + size + encoded + data


def numpy_verdict(path, data):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            array = np.load(path, allow_pickle=False)
        except Exception as err:  # np.load raises ValueError, TypeError, SyntaxError, OverflowError...
            return {'ok': False, 'error': '%s: %s' % (type(err).__name__, str(err)[:200])}
        with open(path, 'rb') as fp:
            version = npformat.read_magic(fp)
            declared, _, _ = npformat._read_array_header(fp, version, max_header_size=2 ** 64)
    end = header_end(data)
    out = {
        'ok': True,
        'dtype': array.dtype.str,
        'shape': [str(d) for d in array.shape],
        'struct': array.dtype.names is not None,
        'declaredShape': [str(d) for d in declared],
        'trailing': len(data) - end - array.nbytes,
        'headerBytes': end - (10 if data[6] == 1 else 12),
    }
    kind = array.dtype.kind
    # Values only where a reader could accept the array (past the point limit none is).
    small = 0 < array.size <= 100000
    if small and not out['struct'] and kind in 'fiub' and array.ndim == 2:
        with np.errstate(over='ignore', invalid='ignore'):
            out['f32'] = base64.b64encode(np.ascontiguousarray(array, dtype='<f4').tobytes()).decode()
        if array.dtype.kind == 'f' and array.dtype.itemsize == 8:
            out['f64'] = base64.b64encode(np.ascontiguousarray(array, dtype='<f8').tobytes()).decode()
    if small and not out['struct'] and kind in 'iub' and (array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)):
        out['ints'] = [str(int(v)) for v in array.ravel()]
    return out


class Corpus:
    """The files, one after another in corpus.bin; numpy reads each from one scratch path."""

    def __init__(self, out_dir):
        # numpy must read a real file (np.load(path) reads data with fromfile); thousands of small
        # writes cost seconds on a busy disk and milliseconds in memory.
        scratch_dir = '/dev/shm' if os.access('/dev/shm', os.W_OK) else out_dir
        fd, self.scratch = tempfile.mkstemp(suffix='.npy', dir=scratch_dir)
        os.close(fd)
        self.blob = open(os.path.join(out_dir, 'corpus.bin'), 'wb')
        self.offset = 0
        self.entries = []

    def add(self, what, data):
        with open(self.scratch, 'wb') as fp:
            fp.write(data)
        self.blob.write(data)
        self.entries.append({'offset': self.offset, 'size': len(data), 'what': what, 'numpy': numpy_verdict(self.scratch, data)})
        self.offset += len(data)

    def close(self):
        self.blob.close()
        os.remove(self.scratch)


def itemsize_of(descr_text):
    """Bytes per element numpy reads for a descr spelling (8 when numpy cannot make a dtype of it)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            dtype = npformat.descr_to_dtype(ast.literal_eval(descr_text))
            return dtype.itemsize if dtype.itemsize else 8
        except Exception:
            return 8


def descr_of(dtype, order):
    return ('|' if dtype[1:] == '1' else order) + dtype


def add_all(corpus, rng):
    """Every file of the corpus, valid ones first."""
    # Valid files: every dtype, byte order, memory order and version; a matrix and a column of each.
    bases = []
    combos = [(dtype, order, fortran, version) for dtype in NUMERIC for order in ('<', '>') for fortran in (False, True)
              for version in ((1, 0), (2, 0), (3, 0)) if not (dtype[1:] == '1' and order == '>')]
    for dtype, order, fortran, version in combos:
        for shape in (rng.choice([(5, 3), (1, 6), (2, 2), (4, 3)]), rng.choice([(4, 1), (7,), (3, 1), (1,)])):
            array = values_for(rng, dtype, int(np.prod(shape))).reshape(shape).astype(descr_of(dtype, order))
            if fortran:
                array = np.asfortranarray(array)
            data = saved(array, version)
            bases.append(data)
            corpus.add('valid %s %s %s %s' % (array.dtype.str, shape, 'F' if fortran else 'C', version), data)

    # Bit flips anywhere in the preamble and header.
    for _ in range(1800):
        data = bytearray(rng.choice(bases))
        end = header_end(bytes(data))
        flips = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            position = rng.randrange(end)
            bit = rng.randrange(8)
            data[position] ^= 1 << bit
            flips.append('%d:%d' % (position, bit))
        corpus.add('bit flips ' + ' '.join(flips), bytes(data))

    # Cut at every header position (three versions) and at random places in the data.
    for base in (bases[0], bases[1], bases[2]):
        for cut in range(header_end(base) + 1):
            corpus.add('cut at %d' % cut, base[:cut])
    for _ in range(150):
        base = rng.choice(bases)
        end = header_end(base)
        if len(base) > end:
            cut = rng.randrange(end, len(base))
            corpus.add('cut data at %d' % cut, base[:cut])

    # Trailing bytes after the data.
    for _ in range(60):
        base = rng.choice(bases)
        corpus.add('trailing', base + rng.randbytes(rng.choice([1, 2, 4, 8, 64])))

    # Header length field off by a little (data then starts elsewhere) or a lot.
    for _ in range(120):
        base = bytearray(rng.choice(bases))
        delta = rng.choice([-9, -3, -2, -1, 1, 2, 3, 8, 64, 10000, -64])
        if base[6] == 1:
            n = struct.unpack('<H', base[8:10])[0] + delta
            if 0 <= n < 65536:
                base[8:10] = struct.pack('<H', n)
        else:
            n = struct.unpack('<I', base[8:12])[0] + delta
            if n >= 0:
                base[8:12] = struct.pack('<I', n)
        corpus.add('header length %+d' % delta, bytes(base))

    # Versions.
    for major, minor in [(0, 0), (4, 0), (255, 0), (1, 1), (1, 8), (2, 1), (3, 1), (1, 255), (2, 0), (3, 0)]:
        data = values_for(rng, 'f4', 6).tobytes()
        corpus.add('version %d.%d' % (major, minor), build("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", data, major, minor))

    f4 = lambda n: values_for(rng, 'f4', n).tobytes()  # noqa: E731
    dict_text = "{'descr': %s, 'fortran_order': %s, 'shape': %s, }"

    # Shapes: zero-size, 1-D, 3-D, hex, negative, float, bool, huge, Python 2 longs, not tuples.
    for shape, count in [('(0, 3)', 0), ('(3, 0)', 0), ('(0,)', 0), ('()', 1), ('(6,)', 6), ('(2, 3, 1)', 6), ('(1, 2, 3)', 6),
                         ('(3, 0x2)', 6), ('(0o3, 0b10)', 6), ('(3, -2)', 6), ('(-1, 2)', 6), ('(-3, -2)', 6), ('(3, 2.0)', 6),
                         ('(3, True)', 3), ('(3, 2L)', 6), ('(3L, 2L)', 6), ('(3 L, 2)', 6), ('(3, 2,)', 6), ('[3, 2]', 6), ('(3 2)', 6),
                         ('(3, 2', 6), ('3, 2', 6), ('(3, (2))', 6), ('((3, 2),)', 6), ('(1_2, 1)', 12), ('(3, 02)', 6), ('(3, 00)', 0),
                         ('(9223372036854775807, 0)', 0), ('(0, 9223372036854775808)', 0), ('(1180591620717411303424, 2)', 6),
                         ('(4611686018427387904, 4)', 6), ('(3, +2)', 6), ('(3, -0)', 0), ('(3, 2j)', 6), ('(3, None)', 6), ("(3, '2')", 6),
                         ('(3,\n 2)', 6), ('(3, # rows\n 2)', 6), ('(3, \\\n2)', 6), ('(2000001, 1)', 0), ('(1, 65537)', 0), ('(1, 65536)', 65536)]:
        for major in (1, 3):
            for descr in ("'<f4'", "'|u1'", "'<i8'"):
                itemsize = int(descr[3])
                data = (f4(count) if itemsize == 4 else values_for(rng, descr[2:4], count).tobytes()) if count else b''
                if shape in ('(2000001, 1)', '(1, 65537)'):
                    if descr != "'|u1'":
                        continue
                    data = bytes(2000001 if shape.startswith('(2') else 65537)
                corpus.add('shape %s %s v%d' % (shape, descr, major), build(dict_text % (descr, 'False', shape), data, major))

    # descr spellings numpy reads, and dtypes it reads that are not plain numbers.
    for descr in ["'float32'", "'f'", "'<f'", "'d'", "'e'", "'<i'", "'l'", "'?'", "'b'", "'B'", "'h'", "'H'", "'int16'", "'uint64'", "'bool'",
                  "'f4,'", "'<f4 ,'", "'1f4'", "'2f4'", "'8f4'", "'<3f4'", "'(2,)f4'", "'(1,)>f4'", "'()f4'", "'0f4'", "'<f 4'", "'f+4'",
                  "'f04'", "'<f4294967300'", "'=f4'", "'|f4'", "'>b1'", "'<f4 '", "' <f4'", "'<float32'", "'<d4'", "'<g4'", "''", "',f4'",
                  "'f4\\xa0,'", "'\\x0b'", "'\\x00'", "'<\\x66\\x34'", "u'<f4'", "r'<f4'", "'<' 'f4'", "b'<f4'", "\"<f4\"", "'''<f4'''",
                  "('<f4', 1)", "('<f4', ())", "('<f4', (2,))", "('<f4',)", "('<f4', 1, 'x')", "[('', '<f4')]", "[('a', '<f4'), ('b', '<i4')]",
                  "'<c8'", "'<c16'", "'<U3'", "'|S4'", "'|V4'", "'|O'", "'O'", "'<M8[ns]'", "'<m8[s]'", "'<f16'", "'g'", "'f4,i4'", "4", "None", "{}"]:
        for fortran in ('False', 'True'):
            for shape, count in [('(3, 2)', 6), ('(6,)', 6), ('(6, 1)', 6)]:
                for extra in (0, 24):
                    data = rng.randbytes(count * itemsize_of(descr) + extra)
                    corpus.add('descr %s %s %s +%d' % (descr, fortran, shape, extra), build(dict_text % (descr, fortran, shape), data))

    # Keys and dict forms.
    base_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
    for header in [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)}",
        "{'shape': (3, 2), 'fortran_order': False, 'descr': '<f4'}",
        "{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'shape': (2, 3)}",
        "{'descr': '<f4', 'shape': (3, 2), }",
        "{'fortran_order': False, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': False, }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'extra': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 1: 2}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), b'x': 2}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), (1, [2]): 2}",
        "{b'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'Descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'de' 'scr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'d\\x65scr': '<f4', 'fortran_order': False, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': 1, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': None, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': 'False', 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': (False), 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': not True, 'shape': (3, 2), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), **{}}",
        "dict(descr='<f4', fortran_order=False, shape=(3, 2))",
        "[('descr', '<f4'), ('fortran_order', False), ('shape', (3, 2))]",
        "({'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), },)",
        "({'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), })",
        base_dict + ',',
        base_dict + ' ; x',
        base_dict + ' # comment',
        base_dict + '\n# comment',
        base_dict + '\n  # comment',
        base_dict + '\n  x',
        base_dict + '\\',
        base_dict + ' \\\n',
        '  ' + base_dict,
        '\t' + base_dict,
        '\n' + base_dict,
        '\n  ' + base_dict,
        '\x0c' + base_dict,
        '\x0c ' + base_dict,
        base_dict.replace(', ', ',\n'),
        base_dict.replace(', ', ',\r\n '),
        base_dict.replace(', ', ',\r'),
        base_dict.replace(', ', ',\t'),
        base_dict.replace(', ', ',\x0c'),
        base_dict.replace(', ', ',\x0b'),
        base_dict.replace(', ', ', \\\n'),
        base_dict.replace("'<f4'", "'<f4' # dtype\n"),
        "'<f4'", "3", "None", "{}", "set()", "{'descr', 'fortran_order', 'shape'}", "",
    ]:
        for major in (1, 2, 3):
            corpus.add('header %r v%d' % (header, major), build(header, f4(6), major))

    # Padding and the final newline: garbage, missing, moved; and headers numpy did not pad.
    for _ in range(300):
        base = bytearray(rng.choice(bases))
        end = header_end(bytes(base))
        text_start = 10 if base[6] == 1 else 12
        closing = base.rindex(b'}', text_start, end)
        position = rng.randrange(closing + 1, end)
        choice = rng.random()
        if choice < 0.5:
            base[position] = rng.choice(b'!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`xyz{|}~\t\r\x0b\x0c\x00\x1a\x85\xa0\xff')
        elif choice < 0.75:
            base[position] = rng.randrange(256)
        else:
            base[end - 1] = rng.choice(b' \r\t\x0c\x0b')
        corpus.add('padding %d' % position, bytes(base))
    for header in [base_dict, base_dict + '\n', base_dict + '  ', base_dict + '\n  ', base_dict + '\n\n', base_dict + '\r\n', base_dict + '\n\t', base_dict + '\n\x0c']:
        for major in (1, 3):
            corpus.add('unpadded %r v%d' % (header, major), build(header, f4(6), major, pad=False))

    # Non-ASCII: latin-1 text in versions 1 and 2, UTF-8 in 3 (and bytes that are not UTF-8).
    for header in ["{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'é': 1}", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\xa0",
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), } # é", "{'descr': '<f4é', 'fortran_order': False, 'shape': (3, 2), }"]:
        for major in (1, 3):
            corpus.add('text %r v%d' % (header, major), build(header, f4(6), major))
    corpus.add('not utf-8 v3', MAGIC + bytes([3, 0]) + struct.pack('<I', 64) + b"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\xff\xfe\n" + f4(6))

    # Header sizes around the 10,000 limit.
    for size in (9999, 10000, 10001, 20000):
        header = base_dict.ljust(size - 1) + '\n'
        corpus.add('header of %d bytes' % size, build(header, f4(6), 2, pad=False))
    corpus.add('v3 header of 10,001 bytes and 9,001 characters', build(base_dict + ' # ' + 'é' * 1000 + ' ' * (10001 - 2000 - len(base_dict) - 4) + '\n', f4(6), 3, pad=False))
    corpus.add('v1 header length 65535', build(base_dict, f4(6), 1, length=65535))


def main():
    out_dir = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    corpus = Corpus(out_dir)
    try:
        add_all(corpus, rng)
    finally:
        corpus.close()
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as fp:
        json.dump({'seed': seed, 'numpy': np.__version__, 'entries': corpus.entries}, fp)


if __name__ == '__main__':
    main()
