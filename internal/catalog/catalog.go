// Package catalog is the read-only catalogue of the UN framework of
// responsible State behaviour in cyberspace: the documents, their provisions
// (norms, views on international law, confidence-building measures and
// recommendations) and the topic vocabulary.
//
// Provision texts are verbatim quotations, each with its document symbol and
// paragraph. They are cut from the source files kept in testdata/seeds, and
// the tests check every quotation against them:
//   - norms 13(a)–(k): the UN extract of paragraph 13 of A/70/174;
//   - A/70/174 paragraphs 26–29, A/68/98 and A/65/201: UNIDIR's compilation
//     of GGE recommendations;
//   - the 2015 GGE confidence-building measures: a published summary of
//     A/70/174, flagged as such in each provision's Note;
//   - the OEWG global CBMs 1–8: Annex B of the third annual progress report.
//
// Short titles, summaries, relations and topic assignments are editorial and
// ours.
package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/detente/detente/internal/errs"
)

//go:embed catalog.json
var dataFS embed.FS

// Kind says what sort of commitment a provision is.
type Kind string

const (
	KindNorm           Kind = "norm"           // voluntary, non-binding norm
	KindLaw            Kind = "law"            // view on how international law applies
	KindCBM            Kind = "cbm"            // confidence-building measure
	KindRecommendation Kind = "recommendation" // other recommendation of a report
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindNorm, KindLaw, KindCBM, KindRecommendation:
		return true
	}
	return false
}

// Document is one UN document the catalogue quotes.
type Document struct {
	Symbol string // UN document symbol, e.g. "A/70/174"
	Title  string
	Year   int
	Body   string // what the document is, in our words
}

// Item is a lettered (or numbered) sub-item of a provision, as CBMs have.
type Item struct {
	Label  string // "a", "i", …; empty for an unlettered paragraph
	Text   string // verbatim
	Source string // the bracketed source the document gives, without brackets
	Items  []Item
}

// Provision is one paragraph or sub-paragraph of a document.
type Provision struct {
	ID         string // stable: norm-h, law-28f, cbm-1, …
	Document   string // document symbol
	Paragraph  string // e.g. "13(h)"
	Kind       Kind
	ShortTitle string // ours, not the UN's
	Text       string // verbatim
	Items      []Item
	Note       string   // editorial remark on the quotation
	Topics     []string // topic ids
	Related    []string // provision ids, in catalogue order
}

// Citation is the provision's reference as people write it.
func (p Provision) Citation() string {
	switch {
	case strings.HasPrefix(p.Paragraph, "Annex"):
		return p.Document + ", " + p.Paragraph
	case strings.ContainsAny(p.Paragraph, "–-"):
		return p.Document + ", paras. " + p.Paragraph
	}
	return p.Document + ", para. " + p.Paragraph
}

// Topic is one entry of the topic vocabulary.
type Topic struct {
	ID   string // slug of Name
	Name string
}

// Filter narrows Provisions. Zero fields match everything.
type Filter struct {
	Kind     Kind
	Document string // document symbol
	Topic    string // topic id
}

// Catalog is the parsed, validated catalogue. It never changes after New
// and is safe for concurrent use; every method returns copies.
type Catalog struct {
	documents  []Document
	topics     []Topic
	provisions []Provision
	byID       map[string]int
	search     []searchEntry // parallel to provisions
}

// file is the layout of catalog.json. Relations are stored once per pair,
// with the reason for the link, and made symmetric when loaded. The file
// types keep the names the data is written with, whatever happens to the
// exported types.
type file struct {
	Documents  []fileDocument  `json:"documents"`
	Topics     []fileTopic     `json:"topics"`
	Provisions []fileProvision `json:"provisions"`
	Relations  []struct {
		A   string `json:"a"`
		B   string `json:"b"`
		Why string `json:"why"`
	} `json:"relations"`
}

type fileDocument struct {
	Symbol string `json:"symbol"`
	Title  string `json:"title"`
	Year   int    `json:"year"`
	Body   string `json:"body"`
}

type fileTopic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type fileItem struct {
	Label  string     `json:"label,omitempty"`
	Text   string     `json:"text"`
	Source string     `json:"source,omitempty"`
	Items  []fileItem `json:"items,omitempty"`
}

// fileProvision takes "related" only to report it: relations are listed
// apart, once per pair.
type fileProvision struct {
	ID         string     `json:"id"`
	Document   string     `json:"document"`
	Paragraph  string     `json:"paragraph"`
	Kind       string     `json:"kind"`
	ShortTitle string     `json:"short_title"`
	Text       string     `json:"text"`
	Items      []fileItem `json:"items,omitempty"`
	Note       string     `json:"note,omitempty"`
	Topics     []string   `json:"topics,omitempty"`
	Related    []string   `json:"related,omitempty"`
}

// each converts every element of in with fn; nil stays nil.
func each[F, T any](in []F, fn func(F) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = fn(v)
	}
	return out
}

func (d fileDocument) document() Document {
	return Document{Symbol: d.Symbol, Title: d.Title, Year: d.Year, Body: d.Body}
}

func (t fileTopic) topic() Topic { return Topic{ID: t.ID, Name: t.Name} }

func (it fileItem) item() Item {
	return Item{Label: it.Label, Text: it.Text, Source: it.Source, Items: each(it.Items, fileItem.item)}
}

func (p fileProvision) provision() Provision {
	return Provision{ID: p.ID, Document: p.Document, Paragraph: p.Paragraph, Kind: Kind(p.Kind), ShortTitle: p.ShortTitle,
		Text: p.Text, Items: each(p.Items, fileItem.item), Note: p.Note, Topics: p.Topics, Related: p.Related}
}

// New loads the embedded catalogue.
func New() (*Catalog, error) {
	data, err := dataFS.ReadFile("catalog.json")
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return parse(data)
}

// validSlug reports whether s is lower-case letters and digits in words
// joined by single hyphens, the form of provision and topic ids.
func validSlug(s string) bool {
	afterHyphen := true // no leading hyphen
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
			afterHyphen = false
		case b == '-' && !afterHyphen:
			afterHyphen = true
		default:
			return false
		}
	}
	return s != "" && !afterHyphen
}

// parse decodes and validates a catalogue, reporting every problem found so
// that a bad edit to the data is fixed in one go.
func parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: decode: %w", err)
	}
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	docs := map[string]bool{}
	for _, d := range f.Documents {
		if d.Symbol == "" || d.Title == "" || d.Year == 0 {
			bad("document %q: symbol, title and year are required", d.Symbol)
		}
		if docs[d.Symbol] {
			bad("document %q is listed twice", d.Symbol)
		}
		docs[d.Symbol] = true
	}

	topics := map[string]bool{}
	names := map[string]bool{}
	for _, t := range f.Topics {
		if !validSlug(t.ID) || t.Name == "" {
			bad("topic %q (%q): needs a slug id and a name", t.ID, t.Name)
		}
		if topics[t.ID] || names[t.Name] {
			bad("topic %q (%q) is listed twice", t.ID, t.Name)
		}
		topics[t.ID], names[t.Name] = true, true
	}

	c := &Catalog{documents: each(f.Documents, fileDocument.document), topics: each(f.Topics, fileTopic.topic),
		provisions: each(f.Provisions, fileProvision.provision), byID: map[string]int{}}
	for i, p := range c.provisions {
		if !validSlug(p.ID) {
			bad("provision %q: id must be lower-case words joined by hyphens", p.ID)
		}
		if _, dup := c.byID[p.ID]; dup {
			bad("provision %q is listed twice", p.ID)
		}
		c.byID[p.ID] = i
		if !docs[p.Document] {
			bad("provision %q: unknown document %q", p.ID, p.Document)
		}
		if !p.Kind.Valid() {
			bad("provision %q: unknown kind %q", p.ID, p.Kind)
		}
		if p.Paragraph == "" || p.ShortTitle == "" || strings.TrimSpace(p.Text) == "" {
			bad("provision %q: paragraph, short title and text are required", p.ID)
		}
		if len(p.Related) > 0 {
			bad("provision %q: list relations under \"relations\", not on the provision", p.ID)
		}
		for _, t := range p.Topics {
			if !topics[t] {
				bad("provision %q: unknown topic %q", p.ID, t)
			}
		}
	}

	type pair struct{ a, b string }
	seen := map[pair]bool{}
	for _, r := range f.Relations {
		ia, okA := c.byID[r.A]
		ib, okB := c.byID[r.B]
		switch {
		case !okA || !okB:
			bad("relation %s–%s: unknown provision", r.A, r.B)
			continue
		case r.A == r.B:
			bad("relation %s–%s: a provision cannot relate to itself", r.A, r.B)
			continue
		case seen[pair{r.A, r.B}] || seen[pair{r.B, r.A}]:
			bad("relation %s–%s is listed twice", r.A, r.B)
			continue
		}
		seen[pair{r.A, r.B}] = true
		c.provisions[ia].Related = append(c.provisions[ia].Related, r.B)
		c.provisions[ib].Related = append(c.provisions[ib].Related, r.A)
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("catalog: invalid data: %w", err)
	}

	// Related lists follow catalogue order so pages list them predictably.
	for i := range c.provisions {
		slices.SortFunc(c.provisions[i].Related, func(a, b string) int { return c.byID[a] - c.byID[b] })
	}
	c.search = make([]searchEntry, len(c.provisions))
	for i, p := range c.provisions {
		c.search[i] = newSearchEntry(p)
	}
	return c, nil
}

// Documents returns every document, oldest first.
func (c *Catalog) Documents() []Document {
	return slices.Clone(c.documents)
}

// Document returns the document with the given symbol.
func (c *Catalog) Document(symbol string) (Document, error) {
	for _, d := range c.documents {
		if d.Symbol == symbol {
			return d, nil
		}
	}
	return Document{}, errs.E(errs.NotFound, "no document %q in the catalogue", symbol)
}

// Topics returns the topic vocabulary in its published order.
func (c *Catalog) Topics() []Topic {
	return slices.Clone(c.topics)
}

// TopicUse is a topic with the number of provisions filed under it.
type TopicUse struct {
	Topic
	Provisions int
}

// UsedTopics returns the topics that at least one provision is filed
// under, in published order, with their counts: a filter offering a topic
// that matches nothing only sends the reader to an empty page.
func (c *Catalog) UsedTopics() []TopicUse {
	var out []TopicUse
	for _, t := range c.topics {
		n := 0
		for _, p := range c.provisions {
			if slices.Contains(p.Topics, t.ID) {
				n++
			}
		}
		if n > 0 {
			out = append(out, TopicUse{Topic: t, Provisions: n})
		}
	}
	return out
}

// Topic returns the topic with the given id.
func (c *Catalog) Topic(id string) (Topic, error) {
	for _, t := range c.topics {
		if t.ID == id {
			return t, nil
		}
	}
	return Topic{}, errs.E(errs.NotFound, "no topic %q in the catalogue", id)
}

// Provisions returns the provisions matching f, in catalogue order.
func (c *Catalog) Provisions(f Filter) []Provision {
	var out []Provision
	for _, p := range c.provisions {
		if (f.Kind == "" || p.Kind == f.Kind) &&
			(f.Document == "" || p.Document == f.Document) &&
			(f.Topic == "" || slices.Contains(p.Topics, f.Topic)) {
			out = append(out, p.clone())
		}
	}
	return out
}

// Provision returns the provision with the given id.
func (c *Catalog) Provision(id string) (Provision, error) {
	i, ok := c.byID[id]
	if !ok {
		return Provision{}, errs.E(errs.NotFound, "no provision %q in the catalogue", id)
	}
	return c.provisions[i].clone(), nil
}

// Related returns the provisions linked to id, in catalogue order.
func (c *Catalog) Related(id string) ([]Provision, error) {
	i, ok := c.byID[id]
	if !ok {
		return nil, errs.E(errs.NotFound, "no provision %q in the catalogue", id)
	}
	out := make([]Provision, 0, len(c.provisions[i].Related))
	for _, r := range c.provisions[i].Related {
		out = append(out, c.provisions[c.byID[r]].clone())
	}
	return out, nil
}

// clone copies p deeply so callers cannot reach the catalogue's own slices.
func (p Provision) clone() Provision {
	p.Topics = slices.Clone(p.Topics)
	p.Related = slices.Clone(p.Related)
	p.Items = cloneItems(p.Items)
	return p
}

func cloneItems(items []Item) []Item {
	if items == nil {
		return nil
	}
	out := make([]Item, len(items))
	for i, it := range items {
		it.Items = cloneItems(it.Items)
		out[i] = it
	}
	return out
}
