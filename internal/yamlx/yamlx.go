// Package yamlx decodes YAML strictly and reports every problem at its
// file:line:column, with a hint where one helps.
//
// cpsim reads YAML written by hand (the config file, scenarios), so a typo
// must be refused where it is, not silently ignored. gopkg.in/yaml.v3 can
// refuse unknown keys, but not through Node.Decode, which is what a caller
// needs to keep positions for its own checks; this package walks the node
// tree itself instead.
package yamlx

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cpsim/cpsim/internal/suggest"
)

// Error is a problem in a YAML file. Callers branch on it with errors.As to
// show the position in their own way.
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
	Hint   string // optional: how to fix it
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	} else if e.File != "" {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteByte(')')
	}
	return b.String()
}

// Errors is every mistake found in a file, in the order of the file, so
// that a user fixes them all in one go. Its Error is one line per mistake;
// errors.As(err, &e) with e an *Error finds the first, for callers that
// show one position.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives errors.As and errors.Is each mistake, the first first.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err is es as an error, or nil when it holds no mistake: an empty Errors
// returned as an error would not be nil.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Add appends the mistakes err holds: an Errors, an *Error, or another
// error, kept by its message. A nil err adds nothing.
func (es *Errors) Add(err error) {
	switch e := err.(type) {
	case nil:
	case Errors:
		*es = append(*es, e...)
	case *Error:
		*es = append(*es, e)
	default:
		var one *Error
		if errors.As(err, &one) {
			*es = append(*es, one)
			return
		}
		*es = append(*es, &Error{Msg: err.Error()})
	}
}

// Sort orders the mistakes by their position in the file; those with no
// position (the file as a whole) come first.
func (es Errors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
}

// Pos is the position of a node. A struct field of type Pos is not read
// from the YAML; the decoder fills it with the position of the struct's own
// mapping so that later checks can point at it.
type Pos struct {
	Line   int
	Column int
}

// Errorf builds an Error at the position of n.
func Errorf(file string, n *yaml.Node, format string, args ...any) *Error {
	e := &Error{File: file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// At builds an Error at p.
func At(file string, p Pos, format string, args ...any) *Error {
	return &Error{File: file, Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses src into its document node. An empty document is an error:
// an empty file is more likely a mistake than an intent.
func Parse(file string, src []byte) (*yaml.Node, error) {
	if len(src) > MaxFileBytes {
		return nil, tooBig(file)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, &Error{File: file, Msg: "the file is empty"}
		}
		return nil, syntaxError(file, src, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errorf(file, &extra, "a second YAML document starts here; put everything in one document")
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Msg: "the file is empty"}
	}
	if err := checkAliases(file, doc.Content[0]); err != nil {
		return nil, err
	}
	return doc.Content[0], nil
}

// MaxAliasNodes is how many nodes the aliases of one file may add to it
// when expanded: an alias stands for a copy of everything its anchor
// holds, aliases within included, so a few hundred bytes of nested
// aliases ("billion laughs") expand to billions of nodes, which Decode and
// every walk of the tree would visit. yaml.v3 bounds this only when it
// decodes into values, not into the yaml.Node tree cpsim keeps for its
// positions. A real scenario or config aliases a cad block or a payload a
// few times, a few hundred nodes; 100,000 is far past that and still
// decodes in a few megabytes. What the file writes out itself is not
// counted: its size is the file's own.
const MaxAliasNodes = 100_000

// checkAliases refuses a tree whose aliases would expand past
// MaxAliasNodes, at the alias that crosses it, and an alias within the
// node its anchor names (yaml.v3 accepts `a: &x [*x]`), which would
// expand forever. It counts before anything decodes: each node's expanded
// size is computed once and remembered, so the count costs one walk of
// the file's own nodes whatever the aliases expand to.
func checkAliases(file string, root *yaml.Node) error {
	c := aliasCount{file: file, size: map[*yaml.Node]int{}}
	_, err := c.expanded(root)
	return err
}

// aliasCount is the state of one checkAliases walk.
type aliasCount struct {
	file  string
	size  map[*yaml.Node]int // expanded size of each node walked; 0 while it is walked
	added int                // nodes the aliases seen so far add
}

// expanded is the number of nodes n stands for, aliases expanded. The
// anchor an alias names comes before it in the file, so it is already
// counted; the aliases within it were added once, where they are written.
func (c *aliasCount) expanded(n *yaml.Node) (int, error) {
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return 1, nil // Decode reports it
		}
		size, seen := c.size[n.Alias]
		if !seen {
			var err error
			if size, err = c.expanded(n.Alias); err != nil {
				return 0, err
			}
		}
		if size == 0 {
			return 0, Errorf(c.file, n, "the alias *%s is within what &%s holds, so it would expand forever", n.Value, n.Value)
		}
		c.added += size
		if c.added > MaxAliasNodes {
			e := Errorf(c.file, n, "aliases expand this file by more than %d nodes here (*%s alone stands for %d): an alias is a copy of all its anchor holds, aliases within it included", MaxAliasNodes, n.Value, size)
			e.Hint = "write the repeated part out, or nest aliases less"
			return 0, e
		}
		return size, nil
	}
	if size, seen := c.size[n]; seen {
		return size, nil
	}
	c.size[n] = 0
	size := 1
	for _, child := range n.Content {
		s, err := c.expanded(child)
		if err != nil {
			return 0, err
		}
		size += s
	}
	c.size[n] = size
	return size, nil
}

// syntaxError turns yaml.v3's "yaml: line N: msg" into an Error at the line
// a person would fix. yaml.v3 does not say where the problem is: its line
// is that of the construct it was reading when it stopped (a mapping that
// began lines above a misindented key, a plain scalar before a tab), and
// counted from 0 for its parser's errors. So the line is found again by
// parsing ever shorter beginnings of the file: the problem is on the last
// line of the shortest beginning that every longer one fails on with the
// same message. A flow mapping or quote left open fails on every
// beginning from where it opens, which is the line to fix. The column is
// the line's first.
func syntaxError(file string, src []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Msg: msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if _, convErr := strconv.Atoi(num); convErr == nil {
				e.Msg = tail
			}
		}
	}
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	end := len(src)
	line := len(lines)
	tries := min(maxSyntaxTries, syntaxBudget/max(len(src), 1))
	for ; line > 1 && tries > 0; tries-- {
		end -= len(lines[line-1])
		if syntaxMessage(src[:end]) != e.Msg {
			break
		}
		line--
	}
	if line >= 1 && line <= len(lines) {
		e.Line, e.Column = line, 1
	}
	return e
}

// maxSyntaxTries and syntaxBudget bound the beginnings parsed again for a
// syntax error (their number, and the bytes parsed in all), so that a huge
// broken file is refused at once. Past them the line is the nearest to the
// end found so far: a file written by hand is small enough never to get
// there.
const (
	maxSyntaxTries = 2000
	syntaxBudget   = 16 << 20
)

// syntaxMessage is yaml.v3's message for src without its line, or "" when
// src parses.
func syntaxMessage(src []byte) string {
	var doc yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc)
	if err == nil || err.Error() == "EOF" {
		return ""
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, tail, ok := strings.Cut(rest, ": "); ok {
			return tail
		}
	}
	return msg
}

// Decode decodes n into v, which must be a non-nil pointer. Structs take
// their keys from the `yaml` tag (or the lower-cased field name); a key the
// struct does not have is an error with a did-you-mean hint. Supported
// targets: structs, pointers, slices, string-keyed maps, strings, bools,
// integers, floats, time.Duration ("500ms", "2s"), `any`, *yaml.Node (kept
// as is), Pos, and types that implement yaml.Unmarshaler. Every mistake in
// n is reported, as an Errors; v holds what could be decoded.
func Decode(file string, n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("yamlx: Decode needs a non-nil pointer, got %T", v)
	}
	d := decoder{file: file}
	if err := d.decode(n, rv.Elem()); err != nil {
		return err
	}
	return d.errs.Err()
}

// decoder walks a node tree into a value. A mistake in the YAML is
// recorded and the walk goes on with the next key or item, so that one
// Decode reports them all; its methods return only errors of the caller's
// program (a target type it cannot fill), which stop the walk.
type decoder struct {
	file  string
	depth int
	errs  Errors
}

var (
	nodeType     = reflect.TypeFor[yaml.Node]()
	posType      = reflect.TypeFor[Pos]()
	durationType = reflect.TypeFor[time.Duration]()
)

// maxDepth bounds nesting so that a hostile file cannot exhaust the stack.
const maxDepth = 64

// fail records a mistake at n.
func (d *decoder) fail(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, Errorf(d.file, n, format, args...))
}

// enter resolves an alias and counts the depth; ok is false when n is a
// mistake already recorded. The caller must call d.leave().
func (d *decoder) enter(n *yaml.Node) (*yaml.Node, bool) {
	d.depth++
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.fail(n, "unknown alias")
			return n, false
		}
		n = n.Alias
	}
	if d.depth > maxDepth {
		d.fail(n, "nested deeper than %d levels", maxDepth)
		return n, false
	}
	return n, true
}

func (d *decoder) leave() { d.depth-- }

func (d *decoder) decode(n *yaml.Node, v reflect.Value) error {
	n, ok := d.enter(n)
	defer d.leave()
	if !ok {
		return nil
	}
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.decode(n, v.Elem())
	}
	if v.Type() == durationType {
		d.duration(n, v)
		return nil
	}
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(yaml.Unmarshaler); ok {
			// A type that reads its own YAML (a string or a list, say):
			// its mistake is reported at the node.
			if err := u.UnmarshalYAML(n); err != nil {
				d.fail(n, "%s", err)
			}
			return nil
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.structure(n, v)
	case reflect.Slice:
		return d.slice(n, v)
	case reflect.Map:
		return d.mapping(n, v)
	case reflect.Interface:
		if x := d.anyValue(n); x != nil {
			v.Set(reflect.ValueOf(x))
		} else {
			v.SetZero()
		}
		return nil
	case reflect.String:
		if s, ok := d.scalar(n, "a string"); ok {
			v.SetString(s)
		}
		return nil
	case reflect.Bool:
		s, ok := d.scalar(n, "true or false")
		switch {
		case !ok:
		case s == "true":
			v.SetBool(true)
		case s == "false":
			v.SetBool(false)
		default:
			d.fail(n, "%q is not true or false", s)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := d.scalar(n, "a whole number"); ok {
			if i, err := strconv.ParseInt(s, 10, v.Type().Bits()); err == nil {
				v.SetInt(i)
			} else {
				d.fail(n, "%q is not a whole number", s)
			}
		}
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if s, ok := d.scalar(n, "a whole number"); ok {
			if i, err := strconv.ParseUint(s, 10, v.Type().Bits()); err == nil {
				v.SetUint(i)
			} else {
				d.fail(n, "%q is not a non-negative whole number", s)
			}
		}
		return nil
	case reflect.Float32, reflect.Float64:
		if s, ok := d.scalar(n, "a number"); ok {
			f, err := strconv.ParseFloat(s, v.Type().Bits())
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				d.fail(n, "%q is not a number", s)
			} else {
				v.SetFloat(f)
			}
		}
		return nil
	}
	return fmt.Errorf("yamlx: cannot decode into %s", v.Type())
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// scalar reads a scalar; ok is false, and the mistake recorded, for
// anything else.
func (d *decoder) scalar(n *yaml.Node, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, "expected %s, found %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value) {
	s, ok := d.scalar(n, "a duration such as 500ms or 2s")
	if !ok {
		return
	}
	dur, err := time.ParseDuration(s)
	switch {
	case err == nil && dur < 0:
		d.fail(n, "the duration %s is negative", s)
	case err == nil:
		v.SetInt(int64(dur))
	default:
		e := Errorf(d.file, n, "%q is not a duration", s)
		e.Hint = "write it like 500ms, 2s or 1m30s"
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			e.Msg, e.Hint = fmt.Sprintf("%q has no unit", s), "write "+s+"s or "+s+"ms"
		}
		d.errs = append(d.errs, e)
	}
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value) error {
	if v.Type() == posType {
		v.Set(reflect.ValueOf(Pos{n.Line, n.Column}))
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "expected a mapping of %s, found %s", strings.Join(keysOf(v.Type()), ", "), kindName(n))
		return nil
	}
	fields := fieldsOf(v.Type())
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Type == posType {
			v.Field(i).Set(reflect.ValueOf(Pos{n.Line, n.Column}))
		}
	}
	seen := map[string]bool{}
	for k, val := range d.pairs(n) {
		idx, ok := fields[k.Value]
		switch {
		case !ok:
			d.errs = append(d.errs, UnknownKey(d.file, k, keysOf(v.Type())))
		case seen[k.Value]:
			d.fail(k, "%q is given twice", k.Value)
		default:
			seen[k.Value] = true
			if err := d.decode(val, v.Field(idx)); err != nil {
				return err
			}
		}
	}
	return nil
}

// pairs yields the keys and values of a mapping whose keys are plain
// words, recording the others as mistakes.
func (d *decoder) pairs(n *yaml.Node) func(yield func(k, v *yaml.Node) bool) {
	return func(yield func(k, v *yaml.Node) bool) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.fail(k, "a key must be a plain word")
				continue
			}
			if !yield(k, val) {
				return
			}
		}
	}
}

// UnknownKey reports a key that is not among known, with the closest known
// key as a hint.
func UnknownKey(file string, k *yaml.Node, known []string) *Error {
	e := Errorf(file, k, "unknown key %q", k.Value)
	if hint := suggest.Hint(k.Value, known); hint != "" {
		e.Hint = hint
	} else if len(known) > 0 {
		e.Hint = "known keys: " + strings.Join(known, ", ")
	}
	return e
}

func (d *decoder) slice(n *yaml.Node, v reflect.Value) error {
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "expected a list, found %s", kindName(n))
		return nil
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		if err := d.decode(item, out.Index(i)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("yamlx: map keys must be strings, not %s", v.Type().Key())
	}
	if isNull(n) {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "expected a mapping, found %s", kindName(n))
		return nil
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for k, val := range d.pairs(n) {
		key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
		if out.MapIndex(key).IsValid() {
			d.fail(k, "%q is given twice", k.Value)
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(val, elem); err != nil {
			return err
		}
		out.SetMapIndex(key, elem)
	}
	v.Set(out)
	return nil
}

// anyValue decodes free-form data (caller data, raw messages) into the
// types encoding/json would produce, so that the result marshals to JSON
// with no surprises: maps are map[string]any, numbers float64 or int64.
// A mistake within is recorded and left out of the result.
func (d *decoder) anyValue(n *yaml.Node) any {
	n, ok := d.enter(n)
	defer d.leave()
	if !ok {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for k, val := range d.pairs(n) {
			if _, dup := m[k.Value]; dup {
				d.fail(k, "%q is given twice", k.Value)
				continue
			}
			m[k.Value] = d.anyValue(val)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			s[i] = d.anyValue(item)
		}
		return s
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		case "!!int":
			if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				return i
			} else if u, err := strconv.ParseUint(n.Value, 0, 64); err == nil {
				return u
			}
			d.fail(n, "%q is not a number JSON can carry", n.Value)
			return nil
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				d.fail(n, "%q is not a number JSON can carry", n.Value)
				return nil
			}
			return f
		default:
			return n.Value
		}
	}
	d.fail(n, "unexpected %s", kindName(n))
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// fieldsOf maps YAML keys to field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		if key, ok := keyOf(t.Field(i)); ok {
			m[key] = i
		}
	}
	return m
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if key, ok := keyOf(t.Field(i)); ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

func keyOf(f reflect.StructField) (string, bool) {
	if !f.IsExported() || f.Type == posType {
		return "", false
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return "", false
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, true
}
