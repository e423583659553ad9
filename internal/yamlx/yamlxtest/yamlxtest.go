// Package yamlxtest has the hostile YAML that the tests of every reader of
// user YAML share (internal/yamlx, internal/scenario, internal/config,
// cmd/cpsim), so that each shows the same file refused.
package yamlxtest

import (
	"fmt"
	"strings"
)

// Laughs is a "billion laughs" YAML mapping: levels keys a, b, c, ...,
// each anchoring a list of nine aliases of the one before, the first a
// list of nine scalars, so that the last stands for 9^levels scalars. Nine
// levels are 396 bytes and 387,420,489 scalars. Every line starts with
// indent, so that the mapping can sit under a key of a larger file.
//
// Its aliases cross yamlx.MaxAliasNodes at the first alias of the sixth
// line (key f), column len(indent)+8.
func Laughs(levels int, indent string) string {
	var b strings.Builder
	b.WriteString(indent + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		prev, name := string(rune('a'+i-1)), string(rune('a'+i))
		fmt.Fprintf(&b, "%s%s: &%s [%s]\n", indent, name, name, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", "))
	}
	return b.String()
}
