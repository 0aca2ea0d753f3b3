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

func (s *Server) exportPOCs(w http.ResponseWriter, r *http.Request) ([]directory.POC, bool) {
	a := who(r)
	pocs, err := s.app.Directory.POCs(r.Context(), a, directoryFilter(r))
	if err != nil {
		s.renderError(w, r, err)
		return nil, false
	}
	for i := range pocs {
		// Which account answers for an entry is for its State's
		// administrators only.
		if !s.app.Directory.SeesAccountLink(a, pocs[i].State) {
			pocs[i].AccountID = ""
		}
	}
	return pocs, true
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
	pocs, ok := s.exportPOCs(w, r)
	if !ok {
		return
	}
	// The same shape as GET /api/v1/pocs: exportPOCs has already blanked
	// the account links this reader may not see.
	a := who(r)
	items := make([]wire.POC, len(pocs))
	for i, p := range pocs {
		items[i] = wire.POCFrom(p, s.app.Directory.SeesAccountLink(a, p.State))
	}
	attachment(w, "application/json", "detente-directory.json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{"generated_at": s.app.Clock.Now().Format(time.RFC3339), "items": items})
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
	pocs, ok := s.exportPOCs(w, r)
	if !ok {
		return
	}
	cw := csvAttachment(w, "detente-directory.csv")
	_ = cw.Write(csvHeader(s.printer(r)))
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
}

func (s *Server) exportVCard(w http.ResponseWriter, r *http.Request) {
	pocs, ok := s.exportPOCs(w, r)
	if !ok {
		return
	}
	cards := make([]vcard.Card, 0, len(pocs))
	for _, p := range pocs {
		cards = append(cards, pocCard(p))
	}
	attachment(w, "text/vcard; charset=utf-8", "detente-directory.vcf")
	if err := vcard.Write(w, cards...); err != nil {
		s.log.Error("vcard export", "err", err)
	}
}

// pocCard describes a POC as a contact card: a function, so the formatted
// name is the function and State unless a person is named.
func pocCard(p directory.POC) vcard.Card {
	fn := p.FunctionTitle + " (" + p.State + ")"
	kind := "org"
	if p.PersonName != "" {
		fn, kind = p.PersonName, "individual"
	}
	note := "Level: " + string(p.Level) + ". Availability: " + p.Availability
	if p.Hours != "" {
		note += " (" + p.Hours + ")"
	}
	if p.PGPFingerprint != "" {
		note += ". OpenPGP fingerprint: " + p.PGPFingerprint
	}
	return vcard.Card{
		UID: "urn:uuid:" + p.ID, FormattedName: fn, Kind: kind, Org: p.Organisation, Title: p.FunctionTitle,
		Emails: p.Emails, Phones: p.Phones, Languages: p.Languages, TimeZone: p.TimeZone, Note: note,
		Categories: []string{"detente", p.State, string(p.Level)}, Rev: p.UpdatedAt,
	}
}
