package library

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/validate"
)

// The checks of a document's fields, each problem a field error.

// check validates in into d, reporting every field to fix at once, and
// returns a new file's content (nil when the file is unchanged or none).
// old is the document before an edit, nil for a new one.
func (s *Service) check(ctx context.Context, a actor.Actor, d *Document, in Input, old *Document) ([]byte, error) {
	var f errs.Fields
	d.Type = in.Type
	if !slices.Contains(Types(), d.Type) {
		f.Add("type", "choose the type of document")
	}
	d.Title = line(&f, "title", in.Title, maxTitle)
	if d.Title == "" {
		f.Add("title", "enter a title")
	}
	d.Summary = text(&f, "summary", in.Summary, maxSummary)
	d.Language = checkLanguage(&f, in.Language)
	d.Date = day(&f, "date", in.Date)
	d.Status = in.Status
	if !slices.Contains(Statuses(), d.Status) {
		f.Add("status", "choose in progress, adopted or superseded")
	}
	d.SupersededBy = ""
	if d.Status == Superseded {
		by := strings.TrimSpace(in.SupersededBy)
		switch {
		case by == "":
			f.Add("superseded_by", "name the document that supersedes it")
		case by == d.ID:
			f.Add("superseded_by", "a document cannot supersede itself")
		default:
			if _, err := s.Document(ctx, a, by); err != nil {
				if !errs.Is(err, errs.NotFound) {
					return nil, err
				}
				f.Add("superseded_by", "choose a document of the library that you can read")
			} else {
				d.SupersededBy = by
			}
		}
	}
	d.Provisions = s.checkProvisions(&f, in.Provisions)
	d.Topics = checkTopics(&f, in.Topics)
	d.Visibility = in.Visibility
	if !slices.Contains(Visibilities(), d.Visibility) {
		f.Add("visibility", "choose whom the document is shown to")
	}
	d.Link = checkLink(&f, in.Link)
	var content []byte
	var extracted string
	switch {
	case in.File != nil && d.Link != "":
		f.Add("link", "give a file or a link, not both")
	case in.File != nil:
		files, err := messaging.CheckFiles(s.files, []messaging.Upload{*in.File})
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				return nil, err
			}
			for k, v := range errs.FieldsOf(err) {
				f.Add(k, v)
			}
			break
		}
		d.File, content = files[0].Attachment, files[0].Content
		d.File.ID, d.File.MessageID, d.File.CreatedAt = d.ID, "", d.UpdatedAt
		extracted, d.Text = extract(ctx, d.File.DetectedType, content)
	case d.Link != "":
		d.File, d.Text = messaging.Attachment{}, NoText
	case old != nil && old.HasFile():
		// The file stays; its text is read again only when it changes.
		d.File, d.Text = old.File, old.Text
	case strings.TrimSpace(in.Link) != "":
		// A link that is no address is reported beside itself only.
	default:
		f.Add("attachments", "choose a file or give a link")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// A kept file's words stay in the row (updateMetadata).
	d.metaWords = distinctWords(d.Title + " " + d.Summary + " " + strings.Join(d.Topics, " "))
	d.fileWords = distinctWords(extracted)
	return content, nil
}

// distinctWords is what the full-text index holds of s: its words, each
// once, bounded.
func distinctWords(s string) string {
	all := messaging.SearchText(s)
	seen := map[string]bool{}
	var b strings.Builder
	for _, w := range strings.Fields(all) {
		if seen[w] || b.Len()+len(w)+1 > maxSearchBytes {
			continue
		}
		seen[w] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// checkLanguage accepts an ISO 639-1 code: two letters.
func checkLanguage(f *errs.Fields, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) != 2 || v[0] < 'a' || v[0] > 'z' || v[1] < 'a' || v[1] > 'z' {
		f.Add("language", "give the language as a two-letter ISO 639-1 code, such as en, fr or ar")
		return ""
	}
	return v
}

// checkLink accepts an absolute http or https address, or nothing.
func checkLink(f *errs.Fields, v string) string {
	v = line(f, "link", v, maxLink)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		f.Add("link", "give an address starting with https:// or http://")
		return ""
	}
	return u.String()
}

func checkTopics(f *errs.Fields, in []string) []string {
	var out []string
	for _, t := range in {
		t = line(f, "topics", t, maxTopic)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxTopics {
		f.Add("topics", fmt.Sprintf("list at most %d topics", maxTopics))
		out = out[:maxTopics]
	}
	return out
}

func (s *Service) checkProvisions(f *errs.Fields, in []string) []string {
	if len(in) > maxProvisions {
		f.Add("provisions", fmt.Sprintf("link at most %d provisions", maxProvisions))
		in = in[:maxProvisions]
	}
	var out []string
	for _, p := range in {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if validate.Encoding(p) != "" {
			f.Add("provisions", "choose provisions of the framework from the list")
			continue
		}
		if _, err := s.catalog.Provision(p); err != nil {
			f.Add("provisions", fmt.Sprintf("unknown provision %q", validate.Reveal(p)))
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// day checks an optional date and keeps only the day.
func day(f *errs.Fields, field string, t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	if t.Year() < firstYear || t.Year() > lastYear {
		f.Add(field, fmt.Sprintf("use a date in the years %d to %d", firstYear, lastYear))
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// text checks a multi-line field into f and returns it normalised.
func text(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.Text(v, 0, max)
	if problem == "" {
		problem = validate.Plain(out)
	}
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}

// line checks a single-line field into f and returns it normalised.
func line(f *errs.Fields, field, v string, max int) string {
	out, problem := validate.OneLine(v, max)
	if problem != "" {
		f.Add(field, problem)
	}
	return out
}
