package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// stateContext is the msgctxt of the States' names in the area "states".
const stateContext = "State"

// StateName names a State of the directory in the printer's language, from
// its ISO 3166-1 alpha-2 code and its UN short name in English ("PS",
// "State of Palestine" → "État de Palestine", "Estado de Palestina",
// "巴勒斯坦国"). English is the English name as given. The other
// languages take the catalogue's message of that name in the context
// "State", which holds the UN's official short names: CLDR's region names
// are not the UN's, and some are wrong for a UN directory ("Palestinian
// Territories", "Vatican City"). Without such a message it falls back on
// CLDR's name for the code, and then on the English name. Region stays
// for places that are not States of the directory.
func (p *Printer) StateName(code, english string) string {
	if english != "" {
		if p.lang == English {
			return english
		}
		if e, ok := p.own.byKey[key(stateContext, english)]; ok && complete(e) {
			return e.Str[0]
		}
	}
	if r, err := language.ParseRegion(strings.TrimSpace(code)); err == nil {
		if name := p.regions.Name(r); name != "" {
			return name
		}
	}
	if english != "" {
		return english
	}
	return code
}
