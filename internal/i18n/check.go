package i18n

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"text/template/parse"
	"unicode"
)

// Finding is one place in a template that bypasses the catalogue or calls
// it wrongly.
type Finding struct {
	Template string // the file or template name given to CheckTemplate
	Line     int
	Text     string // the text or call concerned
	Problem  string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %q", f.Template, f.Line, f.Problem, f.Text)
}

// Markings returns the texts that stay in English in every language and
// so are not messages: the TLP 2.0 labels and the EXERCISE marking.
func Markings() []string {
	return []string{"TLP:AMBER+STRICT", "TLP:AMBER", "TLP:CLEAR", "TLP:GREEN", "TLP:RED", "EXERCISE"}
}

// CheckTemplate reads the source of an html/template file and reports:
// text with letters that a person would see (between tags, or in the
// attributes alt, title, placeholder, aria-label, aria-description and
// aria-placeholder) written outside the translation functions; and calls
// of t, tc, n and nc whose message is not a literal, is not in en.po, or
// whose named arguments differ from the message's placeholders. Texts in
// keep (a product name, say) and the Markings may appear as they are.
//
// It follows the HTML with a small scanner rather than a full parser; it
// reads templates of the kind this project writes, with actions inside
// attribute values and around text, which is enough to make a test fail
// when a page gains an English sentence.
func (c *Catalogue) CheckTemplate(name, src string, keep ...string) ([]Finding, error) {
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	if _, err := t.Parse(src, "", "", trees); err != nil {
		return nil, err
	}
	ck := &checker{cat: c, name: name, src: src, keep: append(Markings(), keep...)}
	names := make([]string, 0, len(trees))
	for n := range trees {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if trees[n].Root == nil {
			continue
		}
		ck.html = htmlScanner{}
		ck.walk(trees[n].Root)
		ck.flush()
	}
	slices.SortStableFunc(ck.found, func(a, b Finding) int { return a.Line - b.Line })
	return ck.found, nil
}

type checker struct {
	cat   *Catalogue
	name  string
	src   string
	keep  []string
	html  htmlScanner
	found []Finding
}

func (ck *checker) line(pos parse.Pos) int {
	if int(pos) > len(ck.src) {
		return 0
	}
	return 1 + strings.Count(ck.src[:pos], "\n")
}

func (ck *checker) report(pos parse.Pos, text, problem string) {
	ck.found = append(ck.found, Finding{Template: ck.name, Line: ck.line(pos), Text: text, Problem: problem})
}

func (ck *checker) walk(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			ck.walk(c)
		}
	case *parse.TextNode:
		ck.html.feed(string(n.Text), int(n.Pos), ck.visible)
	case *parse.ActionNode:
		ck.flush()
		ck.pipe(n.Pipe)
	case *parse.IfNode:
		ck.branch(&n.BranchNode)
	case *parse.RangeNode:
		ck.branch(&n.BranchNode)
	case *parse.WithNode:
		ck.branch(&n.BranchNode)
	case *parse.TemplateNode:
		ck.flush()
		ck.pipe(n.Pipe)
	}
}

func (ck *checker) branch(b *parse.BranchNode) {
	ck.flush()
	ck.pipe(b.Pipe)
	ck.walk(b.List)
	ck.flush()
	if b.ElseList != nil {
		ck.walk(b.ElseList)
		ck.flush()
	}
}

// flush ends the run of text the scanner is collecting: an action or a
// branch splits a sentence, and each part is checked alone.
func (ck *checker) flush() { ck.html.flush(ck.visible) }

// visible is called with each run of text a person sees.
func (ck *checker) visible(text string, pos int) {
	t := html.UnescapeString(text)
	for _, k := range ck.keep {
		t = strings.ReplaceAll(t, k, "")
	}
	if strings.IndexFunc(t, unicode.IsLetter) >= 0 {
		pos += len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
		ck.report(parse.Pos(pos), strings.Join(strings.Fields(text), " "), "text outside a translation call")
	}
}

func (ck *checker) pipe(p *parse.PipeNode) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		ck.command(cmd)
	}
	// {{"Some words"}} prints a literal as it is.
	if len(p.Cmds) == 1 && len(p.Cmds[0].Args) == 1 {
		if s, ok := p.Cmds[0].Args[0].(*parse.StringNode); ok {
			ck.visible(s.Text, int(s.Pos))
		}
	}
}

func (ck *checker) command(cmd *parse.CommandNode) {
	for _, a := range cmd.Args {
		if p, ok := a.(*parse.PipeNode); ok {
			ck.pipe(p)
		}
	}
	if len(cmd.Args) == 0 {
		return
	}
	id, ok := cmd.Args[0].(*parse.IdentifierNode)
	if !ok {
		return
	}
	args := cmd.Args[1:]
	var ctx string
	switch id.Ident {
	case "t", "n":
	case "tc", "nc":
		if len(args) == 0 {
			ck.report(cmd.Pos, cmd.String(), "a context and a message are needed")
			return
		}
		s, ok := args[0].(*parse.StringNode)
		if !ok {
			ck.report(cmd.Pos, cmd.String(), "the context is not a literal string")
			return
		}
		ctx, args = s.Text, args[1:]
	default:
		return
	}
	counted := id.Ident == "n" || id.Ident == "nc"
	want := 1
	if counted {
		want = 3 // singular, plural, count
	}
	if len(args) < want {
		ck.report(cmd.Pos, cmd.String(), "too few arguments")
		return
	}
	msg, ok := args[0].(*parse.StringNode)
	if !ok {
		ck.report(cmd.Pos, cmd.String(), "the message is not a literal string, so no test can see it; pass a Message to msg instead")
		return
	}
	var plural string
	if counted {
		pl, ok := args[1].(*parse.StringNode)
		if !ok {
			ck.report(cmd.Pos, cmd.String(), "the plural is not a literal string")
			return
		}
		plural = pl.Text
	}
	var names []string
	rest := args[want:]
	if len(rest)%2 != 0 {
		ck.report(cmd.Pos, cmd.String(), "arguments must be name/value pairs")
		return
	}
	for i := 0; i < len(rest); i += 2 {
		s, ok := rest[i].(*parse.StringNode)
		if !ok {
			ck.report(cmd.Pos, cmd.String(), "an argument name is not a literal string")
			return
		}
		names = append(names, s.Text)
	}
	for _, problem := range ck.cat.checkCall(ctx, msg.Text, plural, counted, names) {
		ck.report(cmd.Pos, cmd.String(), problem)
	}
}

// CheckMessage reports what is wrong with m as a call of the catalogue:
// a message en.po lacks, a count where en.po has none or the reverse, or
// argument names that differ from its placeholders. Tests of code that
// builds Messages call it; nil means the message renders in every
// language.
func (c *Catalogue) CheckMessage(m Message) []string {
	var names []string
	if len(m.Args)%2 != 0 {
		return []string{"arguments must be name/value pairs"}
	}
	for i := 0; i < len(m.Args); i += 2 {
		s, ok := m.Args[i].(string)
		if !ok {
			return []string{fmt.Sprintf("argument name %v is not a string", m.Args[i])}
		}
		names = append(names, s)
	}
	return c.checkCall(m.Context, m.ID, m.Plural, m.Plural != "", names)
}

func (c *Catalogue) checkCall(ctx, id, plural string, counted bool, names []string) []string {
	e, ok := c.ids[key(ctx, id)]
	if !ok {
		if ctx != "" {
			return []string{fmt.Sprintf("message %q in context %q is not in en.po", id, ctx)}
		}
		return []string{fmt.Sprintf("message %q is not in en.po", id)}
	}
	if counted != (e.Plural != "") {
		if counted {
			return []string{"en.po has this message without a plural: use t, not n"}
		}
		return []string{"en.po has this message with a plural: use n, not t"}
	}
	if counted && plural != e.Plural {
		return []string{fmt.Sprintf("en.po has the plural %q", e.Plural)}
	}
	var problems []string
	want := placeholders(e.ID + " " + e.Plural)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			problems = append(problems, fmt.Sprintf("argument %q is given twice", n))
		}
		seen[n] = true
		if !slices.Contains(want, n) {
			problems = append(problems, fmt.Sprintf("argument %q is not a placeholder of the message", n))
		}
	}
	for _, w := range want {
		if !seen[w] && !(counted && w == "count") {
			problems = append(problems, fmt.Sprintf("no argument for {%s}", w))
		}
	}
	return problems
}
