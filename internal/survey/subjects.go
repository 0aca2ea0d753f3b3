package survey

import (
	"slices"

	"github.com/detente/detente/internal/catalog"
)

// Entry is one subject a part asks about, with the provision it comes
// from and, for a lettered item, the item's text.
type Entry struct {
	Subject
	Part      Part
	Provision catalog.Provision
	ItemText  string
}

// entriesOf lists every subject of the report in catalogue order: each
// provision of the four parts, and after a CBM its lettered items.
func entriesOf(cat *catalog.Catalog) []Entry {
	var out []Entry
	for _, part := range Parts() {
		for _, p := range cat.Provisions(catalog.Filter{Kind: part.Kind()}) {
			out = append(out, Entry{Subject: Subject{Provision: p.ID}, Part: part, Provision: p})
			if part != PartCBMs {
				continue
			}
			for _, it := range p.Items {
				if it.Label != "" {
					out = append(out, Entry{Subject: Subject{Provision: p.ID, Item: it.Label}, Part: part, Provision: p, ItemText: it.Text})
				}
			}
		}
	}
	return out
}

// Entries lists the subjects of part in catalogue order; every part's
// when part is "".
func (s *Service) Entries(part Part) []Entry {
	var out []Entry
	for _, e := range s.entries {
		if part == "" || e.Part == part {
			out = append(out, e)
		}
	}
	return out
}

// entry returns the entry of key, and whether there is one.
func (s *Service) entry(key string) (Entry, bool) {
	i, ok := s.index[key]
	if !ok {
		return Entry{}, false
	}
	return s.entries[i], true
}

// sortAnswers puts answers in catalogue order.
func (s *Service) sortAnswers(as []Answer) {
	slices.SortFunc(as, func(x, y Answer) int { return s.index[x.Key()] - s.index[y.Key()] })
}
