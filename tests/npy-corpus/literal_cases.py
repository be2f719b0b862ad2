"""Prints (JSON) Python's verdict on a seeded set of header-like texts, for shared/src/npy/py-literal.test.ts.

Usage: python3 literal_cases.py SEED COUNT

Texts: numpy-style header dicts, damaged by random edits (characters from an alphabet of Python's
tricky bits: quotes, escapes, line breaks, continuations, comments, numbers, names), and a list of
hand-picked cases. For each: `raw`, `ast.literal_eval(text)`, and `filtered`, the same after numpy's
`_filter_header` (what np.load does for format 1.0 and 2.0 headers), each as a canonical form (see
canon) or "ERR" when Python raises.
"""
import ast
import json
import random
import sys
import warnings

from numpy.lib.format import _filter_header


def canon(value):
    """A JSON form both sides can build: type tags, ints as decimal, str as UTF-16LE hex."""
    if isinstance(value, bool):
        return 'b:%s' % value
    if isinstance(value, int):
        return 'i:%d' % value
    if isinstance(value, str):
        return 's:' + value.encode('utf-16-le', 'surrogatepass').hex()
    if isinstance(value, bytes):
        return 'y'
    if isinstance(value, float):
        return 'f'
    if isinstance(value, complex):
        return 'c'
    if value is None:
        return 'none'
    if value is Ellipsis:
        return 'ellipsis'
    if isinstance(value, tuple):
        return ['t'] + [canon(x) for x in value]
    if isinstance(value, list):
        return ['l'] + [canon(x) for x in value]
    if isinstance(value, (set, frozenset)):
        return 'set'
    if isinstance(value, dict):
        return ['d'] + [[canon(k), canon(x)] for k, x in value.items()]
    raise TypeError(type(value))


def verdict(text, filtered):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return canon(ast.literal_eval(_filter_header(text) if filtered else text))
        except Exception:  # SyntaxError, ValueError, TypeError, tokenize.TokenError, IndentationError...
            return 'ERR'


BASES = [
    "{'descr': '<f4', 'fortran_order': False, 'shape': (120, 8), }",
    "{'descr': '|b1', 'fortran_order': True, 'shape': (3L,), }",
    "{'descr': [('a', '<f4'), ('b', '<i8', (2,))], 'fortran_order': False, 'shape': (), }",
    "{'descr': '>f8', 'fortran_order': False, 'shape': (0x10, 0o7, 0b1, 1_0), }",
]
ALPHABET = list(" \t\n\r\x0c\x0b\\'\"#(){}[],:;.+-*0123456789LjJeExXoObBrRuUfF_TrueFalseNone") + [
    '\x00', '\xa0', 'é', '...', "'''", 'set()', '1+2j', '\\\n', '\r\n']
D = BASES[0]
HAND = [
    '{}\\\n', '{}\\', '\\\n{}', '\\\n {}', ' \\\n{}', '{}\n  ', '{}\n\t', '{}\n \n', '\n {}', '\x0c {}', '\x0c{}', '{}\n\x0c', '{}\n \x0c',
    '{}\n\x0c ', '{}\r', '{}\r\r', '\r{}', '\r {}', '{\r}', "{'a'\r:1}", "'a\rb'", "'''a\rb'''", '{}\x1a', '{} # c', '{}\n# c', '{}\n  # c',
    '(1L, 2L)', '(1 L, 2)', '(1L L)', '(1LL)', '(0x8L)', '8L', '\r(1L,)', '1if 1 else 2', '1else', '1e5', '1e', '1_0', '1__0', '0_0', '00',
    '09', '09.5', '0b12', '0o8', '0x', '0xg', '1.', '.5', '1..', '1.e5', '1._0', '1j', '1.5j', '1+2j', '-1+2j', '1-2j', '1+-2j', '-(1)', '-(1,)',
    '--1', '+1', '-True', '-1.5', "'\\x4'", "'\\x41'", "'\\u0041'", "'\\ud800'", "'\\U0010ffff'", "'\\U00110000'", "'\\d'", "'\\101'",
    "'\\777'", "b'é'", "rb'\\x'", "r'\\''", "u'a'", "ur'a'", "f'a'", "'a' f'b'", "'a' b'b'", "b'a' b'b'", '{1: 2, True: 3}',
    '{(1, [2]): 3}', '{[1]: 2}', '{1, [2]}', 'set()', 'set( )', 'set(())', 'frozenset()', '...', '[...]', '(1, 2)[0]', '{}.x', '{}()',
    'None', '(None,)', '{**{}}', '{*()}', '[*()]', '(*(),)', '(1,)*2', '1 < 2', 'not 1', '~1', 'lambda: 1', '(x := 1)', "{'a': 1,}",
    "{'a': 1,,}", '{,}', '(,)', '[,]', '()', '(())', '((),)', '[]', '[1,]', '1,', '1, 2', '1,,', ',', '"""a\n b"""', "'a\\\nb'", "'a\nb'",
    '\t{}', '\t\t{}', ' \t {}', '{}\t', '\n\n{}', '#c\n{}', '#c\n {}', '\x00', '{}\x00', '\xa0{}', '{é: 1}', "{'é': 1}", 'True', 'TrueL',
    '1 L', '1\\\nL', '(1\nL)', 'x', '_', D, D + '\n', D.replace("'shape'", "'sh' 'ape'"), D + ';', D + ' ;x', D.replace(', }', '}'),
    D.replace('(120, 8)', '(120,\n 8)'), '(\n1\n)', '[\n1,\n]\n', '  (\n  1\n  )\n  ', '{}\n\n\n', '{}\\\n\n', '{} \\\n \\\n',
    '{}\\\n \\\n ', '({}\\\n)', '\x0b{}', '{}\x0b', '\x0c\x0c{}', '\x0c \x0c{}', ' \x0c {}', '\t\x0c{}', '{}\n\t\n', '(\n\t1)', '"\\\r\n"',
    "'\\\r\n'", '1_j', '1e_5', '1e+5', '1e+', '0e0', '0.0e0j', '0_0_0', '0__0', '1_000_000', '0x_1', '0x1_', '0b_', '0o_7',
    '(' * 199 + ')' * 199, '(' * 200 + ')' * 200, '(' * 201 + ')' * 201,
]


def main():
    rng = random.Random(int(sys.argv[1]))
    cases = list(HAND)
    for base in BASES:
        for pad in ['', ' ' * 5 + '\n', '\n', '  ', '\n  ', '\n#c', '\\\n', '\n\x0c ', '\x0c']:
            cases.append(base + pad)
    for _ in range(int(sys.argv[2])):
        text = rng.choice(BASES) + rng.choice(['', ' ' * rng.randrange(5) + '\n'])
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(text) + 1)
            edit = rng.random()
            if edit < 0.4:
                text = text[:i] + rng.choice(ALPHABET) + text[i + 1:]
            elif edit < 0.7:
                text = text[:i] + rng.choice(ALPHABET) + text[i:]
            elif edit < 0.85:
                text = text[:i] + text[i + 1:]
            else:
                data = bytearray(text.encode('latin1', 'replace'))
                j = rng.randrange(len(data))
                data[j] ^= 1 << rng.randrange(8)
                text = data.decode('latin1')
        cases.append(text)
    json.dump([{'text': t, 'raw': verdict(t, False), 'filtered': verdict(t, True)} for t in cases], sys.stdout)


if __name__ == '__main__':
    main()
