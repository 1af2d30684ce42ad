package config

import (
	"errors"
	"strings"
)

// SplitCommand splits a command line into words the way sh(1) quotes them,
// and does nothing else: no variable expansion, no globbing, no comments,
// no operators. Words are separated by blanks (space, tab, newline).
// Outside quotes a backslash takes the next character literally, and a
// backslash-newline is removed. 'Single quotes' keep everything literally.
// "Double quotes" keep everything literally except the escapes \" \\ \$ \`
// and backslash-newline (removed); any other backslash stays. Quotes
// with nothing between them make an empty word. An unterminated quote or
// a trailing backslash is an error.
func SplitCommand(s string) ([]string, error) {
	var (
		words []string
		word  strings.Builder
		in    bool // a word has begun, possibly empty ("")
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			if s[i] != '\n' {
				word.WriteByte(s[i])
				in = true
			}
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote")
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
			in = true
		case '"':
			j, err := doubleQuoted(s, i+1, &word)
			if err != nil {
				return nil, err
			}
			i = j
			in = true
		default:
			word.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, word.String())
	}
	return words, nil
}

// doubleQuoted copies the content of a double-quoted string starting at
// s[i] into word and returns the index of its closing quote.
func doubleQuoted(s string, i int, word *strings.Builder) (int, error) {
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, nil
		case '\\':
			if i+1 < len(s) {
				switch s[i+1] {
				case '"', '\\', '$', '`':
					word.WriteByte(s[i+1])
					i++
					continue
				case '\n':
					i++
					continue
				}
			}
			word.WriteByte(c)
		default:
			word.WriteByte(c)
		}
	}
	return 0, errors.New("unterminated double quote")
}
