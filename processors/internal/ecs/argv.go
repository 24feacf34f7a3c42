package ecs

// SplitCommandLine splits a command line with the Windows CommandLineToArgvW
// rules of the spec (event-other.md §3.2 rule 1, README T9): space or tab
// separate arguments outside double quotes; `"` toggles quoting and is
// removed; 2n backslashes before `"` give n backslashes and the quote
// toggles; 2n+1 backslashes before `"` give n backslashes and a literal `"`;
// `""` inside a quoted section gives one literal `"` and ends the section;
// other backslashes are literal; empty arguments are dropped.
func SplitCommandLine(s string) []string {
	var args []string
	var cur []byte
	inQ := false
	n := len(s)
	flush := func() {
		if len(cur) > 0 {
			args = append(args, string(cur))
			cur = cur[:0]
		}
	}
	for i := 0; i < n; {
		c := s[i]
		switch {
		case (c == ' ' || c == '\t') && !inQ:
			flush()
			i++
		case c == '\\':
			j := i
			for j < n && s[j] == '\\' {
				j++
			}
			nb := j - i
			if j < n && s[j] == '"' {
				for k := 0; k < nb/2; k++ {
					cur = append(cur, '\\')
				}
				if nb%2 == 1 {
					cur = append(cur, '"')
					i = j + 1
				} else {
					i = j
				}
			} else {
				cur = append(cur, s[i:j]...)
				i = j
			}
		case c == '"':
			if inQ && i+1 < n && s[i+1] == '"' {
				cur = append(cur, '"')
				inQ = false
				i += 2
				continue
			}
			inQ = !inQ
			i++
		default:
			cur = append(cur, c)
			i++
		}
	}
	flush()
	return args
}
