package convert

import (
	"errors"
	"slices"
	"strings"
)

// isShlexBlank reports whether shlex counts c as whitespace.
func isShlexBlank(c rune) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// splitPosix splits a command as supervisord does, with Python's
// shlex.split (POSIX mode, no comments), before it execs the words itself:
// no shell ever sees the command. Words are separated by blanks; outside
// quotes a backslash takes the next character literally; 'single quotes'
// keep everything; inside "double quotes" a backslash escapes only '"' and
// '\'. Quotes with nothing between them make an empty word.
func splitPosix(s string) ([]string, error) {
	var (
		words  []string
		word   strings.Builder
		inWord bool // a word has begun, perhaps empty ("")
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case isShlexBlank(c):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 >= len(rs) {
				return nil, errors.New("no character after the final backslash")
			}
			i++
			word.WriteRune(rs[i])
			inWord = true
		case c == '\'' || c == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != c; j++ {
				if c == '"' && rs[j] == '\\' && j+1 < len(rs) {
					if next := rs[j+1]; next == '"' || next == '\\' {
						j++
					}
				}
				word.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New("no closing quotation")
			}
			i = j
			inWord = true
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// pair is one KEY=value of an environment string.
type pair struct {
	key, val []rune
}

// envPairs parses an environment string as supervisord's
// dict_of_key_value_pairs does: a non-POSIX Python shlex splits it into
// tokens, and every fourth token from the first begins a KEY, '=', value
// triple (the token between triples, normally ',', is skipped unread).
// Quotes stay in tokens; a value loses every quote at either end. A later
// KEY replaces an earlier one in its place.
func envPairs(rs []rune) ([]pair, error) {
	toks, err := shlexTokens(rs)
	if err != nil {
		return nil, err
	}
	var out []pair
	for i := 0; i < len(toks); i += 4 {
		if i+2 >= len(toks) || string(toks[i+1]) != "=" {
			return nil, errors.New("want KEY=value pairs separated by commas (quote values with spaces or other punctuation)")
		}
		p := pair{key: toks[i], val: trimQuotes(toks[i+2])}
		replaced := false
		for j := range out {
			if slices.Equal(out[j].key, p.key) {
				out[j].val, replaced = p.val, true
			}
		}
		if !replaced {
			out = append(out, p)
		}
	}
	return out, nil
}

// trimQuotes strips every ' and " from both ends, as Python's
// str.strip('\'"').
func trimQuotes(t []rune) []rune {
	for len(t) > 0 && (t[0] == '"' || t[0] == '\'') {
		t = t[1:]
	}
	for len(t) > 0 && (t[len(t)-1] == '"' || t[len(t)-1] == '\'') {
		t = t[:len(t)-1]
	}
	return t
}

// isEnvWordChar reports whether dict_of_key_value_pairs's shlex counts c as
// part of a word: ASCII letters, digits, '_', and the "/.+-():" supervisord
// adds. Markers (see envref.go) count as word characters: they stand for
// text that supervisord would have expanded before splitting.
func isEnvWordChar(c rune) bool {
	if c >= markerBase {
		return true
	}
	return c < 0x80 && (isAlnum(byte(c)) || strings.ContainsRune("_/.+-():", c))
}

// shlexTokens splits rs as Python's shlex.shlex(s) (non-POSIX mode) does:
// runs of word characters are tokens; a quoted string is a token with its
// quotes; a '#' drops the rest of its line; any other character is a token
// by itself. In a word, a quote character is just another character, and a
// '#' drops the rest of the line while the word goes on after it.
func shlexTokens(rs []rune) ([][]rune, error) {
	var toks [][]rune
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case isShlexBlank(c):
			i++
		case c == '#':
			i = skipLine(rs, i)
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(rs) && rs[j] != c {
				j++
			}
			if j >= len(rs) {
				return nil, errors.New("no closing quotation")
			}
			toks = append(toks, rs[i:j+1])
			i = j + 1
		case isEnvWordChar(c):
			var tok []rune
			for i < len(rs) {
				c := rs[i]
				switch {
				case c == '#':
					i = skipLine(rs, i)
					continue
				case isEnvWordChar(c) || c == '\'' || c == '"':
					tok = append(tok, c)
					i++
					continue
				}
				break
			}
			toks = append(toks, tok)
		default:
			toks = append(toks, rs[i:i+1])
			i++
		}
	}
	return toks, nil
}

// skipLine returns the index after the newline that ends the line holding
// rs[i], as shlex's readline does.
func skipLine(rs []rune, i int) int {
	for i < len(rs) && rs[i] != '\n' {
		i++
	}
	return i + 1
}
