package web

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/vcard"
	"github.com/detente/detente/internal/wire"
)

// Exports give the same entries the list shows, under the same filters and
// the same authorisation, in formats other tools read.

// exportPages streams the entries an export holds a page at a time:
// start (the headers, the opening of the document) runs once the first
// page is read, so an error before then is an error page; each page goes
// to write as it comes, so a large directory is never held whole.
func (s *Server) exportPages(w http.ResponseWriter, r *http.Request, start func(), write func([]directory.POC)) {
	a := who(r)
	started := false
	err := s.app.Directory.EachPOC(r.Context(), a, directoryFilter(r), func(pocs []directory.POC) error {
		for i := range pocs {
			// Which account answers for an entry is for its State's
			// administrators only.
			if !s.app.Directory.SeesAccountLink(a, pocs[i].State) {
				pocs[i].AccountID = ""
			}
		}
		if !started {
			start()
			started = true
		}
		write(pocs)
		return nil
	})
	switch {
	case err != nil && !started:
		s.renderError(w, r, err)
	case err != nil:
		// The download is cut short; the reader's program sees it end early.
		s.log.Error("export cut short", "path", r.URL.Path, "err", err)
	}
}

func attachment(w http.ResponseWriter, ctype, name string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}

// csvAttachment starts a CSV download and returns its writer. Every CSV
// starts with a byte order mark, which tells spreadsheet programs the file
// is UTF-8; without it they read names in Arabic, Chinese or Russian as
// mojibake.
func csvAttachment(w http.ResponseWriter, name string) *csv.Writer {
	attachment(w, "text/csv; charset=utf-8", name)
	_, _ = io.WriteString(w, "\uFEFF")
	return csv.NewWriter(w)
}

func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request) {
	// The same shape as GET /api/v1/pocs, written as json.Encoder with a
	// two-space indent writes the whole document, an entry at a time.
	a := who(r)
	n := 0
	s.exportPages(w, r, func() {
		attachment(w, "application/json", "detente-directory.json")
		gen, _ := json.Marshal(s.app.Clock.Now().Format(time.RFC3339))
		_, _ = io.WriteString(w, "{\n  \"generated_at\": "+string(gen)+",\n  \"items\": [")
	}, func(pocs []directory.POC) {
		for _, p := range pocs {
			b, err := json.MarshalIndent(wire.POCFrom(p, s.app.Directory.SeesAccountLink(a, p.State)), "    ", "  ")
			if err != nil {
				s.log.Error("json export", "err", err)
				continue
			}
			sep := ",\n    "
			if n == 0 {
				sep = "\n    "
			}
			n++
			_, _ = io.WriteString(w, sep)
			_, _ = w.Write(b)
		}
	})
	if n > 0 {
		_, _ = io.WriteString(w, "\n  ]\n}\n")
	} else {
		_, _ = io.WriteString(w, "]\n}\n")
	}
}

// csvHeader names the columns in p's language: the header row is for
// people reading the file in a spreadsheet, while the cells keep the
// data's own values and codes, as the JSON export has them.
func csvHeader(p *i18n.Printer) []string {
	return []string{p.TC("CSV column", "ID"), p.T("State"), p.T("Level"), p.T("Function"), p.T("Organisation"), p.T("Person"),
		p.T("Email addresses"), p.T("Phone numbers"), p.T("Working languages"), p.T("Time zone"), p.T("Availability"), p.T("Office hours"),
		p.TC("CSV column", "OpenPGP fingerprint"), p.TC("CSV column", "OpenPGP key expires"), p.T("Last confirmed"), p.TC("CSV column", "Stale"),
		p.T("Version")}
}

// csvSafe defuses cells a spreadsheet would run as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request) {
	var cw *csv.Writer
	s.exportPages(w, r, func() {
		cw = csvAttachment(w, "detente-directory.csv")
		_ = cw.Write(csvHeader(s.printer(r)))
	}, func(pocs []directory.POC) {
		for _, p := range pocs {
			exp := ""
			if p.PGPExpires != nil {
				exp = p.PGPExpires.Format(time.DateOnly)
			}
			stale := "no"
			if p.Stale {
				stale = "yes"
			}
			row := []string{p.ID, p.State, string(p.Level), p.FunctionTitle, p.Organisation, p.PersonName, strings.Join(p.Emails, " "),
				strings.Join(p.Phones, " "), strings.Join(p.Languages, " "), p.TimeZone, p.Availability, p.Hours, p.PGPFingerprint, exp,
				p.ConfirmedAt.Format(time.RFC3339), stale, itoa(p.Version)}
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			_ = cw.Write(row)
		}
		cw.Flush()
	})
}

func (s *Server) exportVCard(w http.ResponseWriter, r *http.Request) {
	pr := s.printer(r)
	s.exportPages(w, r, func() {
		attachment(w, "text/vcard; charset=utf-8", "detente-directory.vcf")
	}, func(pocs []directory.POC) {
		cards := make([]vcard.Card, 0, len(pocs))
		for _, p := range pocs {
			cards = append(cards, pocCard(pr, p))
		}
		if err := vcard.Write(w, cards...); err != nil {
			s.log.Error("vcard export", "err", err)
		}
	})
}

// pocCard is an entry as a contact card. Its note, which address books
// show as it is, is in the reader's language; the OpenPGP fingerprint goes
// to the card's own field (vcard writes it as a note line others read back).
func pocCard(pr *i18n.Printer, p directory.POC) vcard.Card {
	fn := p.FunctionTitle + " (" + p.State + ")"
	kind := "org"
	if p.PersonName != "" {
		fn, kind = p.PersonName, "individual"
	}
	level := levelLabel(pr, string(p.Level))
	avail := pr.TC("availability", "24/7")
	if p.Availability != directory.Always {
		avail = pr.T("Office hours")
		if p.Hours != "" {
			avail += " (" + p.Hours + ")"
		}
	}
	return vcard.Card{
		UID: "urn:uuid:" + p.ID, FormattedName: fn, Kind: kind, Org: p.Organisation, Title: p.FunctionTitle,
		Emails: p.Emails, Phones: p.Phones, Languages: p.Languages, TimeZone: p.TimeZone,
		Note:           pr.TC("contact card", "Level: {level}. Availability: {availability}.", "level", level, "availability", avail),
		KeyFingerprint: p.PGPFingerprint, Categories: []string{"detente", p.State, string(p.Level)}, Rev: p.UpdatedAt,
	}
}
