package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
)

const libraryUsage = `usage:
  detente library list [-as EMAIL] [-state XX|secretariat] [-type T] [-provision ID]   the documents the account may read
  detente library search [-as EMAIL] [-state …] [-type T] [-provision ID] WORDS…      the same, searched in their titles, summaries, topics and files
  detente library add -as EMAIL -type T -title … -language LL -status S -visibility V (-file PATH | -link URL)
      [-summary …] [-date DAY] [-provisions ID,…] [-topics T,…] [-superseded-by ID]  share a document of the account's side`

// libraryFlags names the flag that sets each field of a document.
var libraryFlags = map[string]string{"superseded_by": "superseded-by", "attachments": "file"}

// cmdLibrary lists, searches and adds documents of the policy library, as
// the named account or as the operator with the secretariat's authority;
// a State's private documents are its own and the secretariat's only.
func cmdLibrary(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(libraryUsage)
	}
	sub, rest := args[0], args[1:]
	if sub != "list" && sub != "search" && sub != "add" {
		return errors.New(libraryUsage)
	}
	var as, typ, date, provisions, topics, file, status, visibility string
	var f library.Filter
	var in library.Input
	a, left, err := opCommand(ctx, "library "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
		fs.StringVar(&typ, "type", "", "strategy, law, regulation, concept_paper, law_position, oewg_submission, good_practice or other")
		if sub != "add" {
			fs.StringVar(&f.State, "state", "", `the sharing State's code, or "secretariat"`)
			fs.StringVar(&f.Provision, "provision", "", "a provision of the framework, such as cbm-7")
			return
		}
		fs.StringVar(&in.Title, "title", "", "the document's title")
		fs.StringVar(&in.Summary, "summary", "", "what it says, briefly")
		fs.StringVar(&in.Language, "language", "", "its language, ISO 639-1 such as fr")
		fs.StringVar(&date, "date", "", "its own date, such as 2025-06-30")
		fs.StringVar(&status, "status", "adopted", "in_progress, adopted or superseded")
		fs.StringVar(&in.SupersededBy, "superseded-by", "", "the id of the document that supersedes it")
		fs.StringVar(&provisions, "provisions", "", "provisions it concerns, comma-separated, such as cbm-7,cbm-8")
		fs.StringVar(&topics, "topics", "", "free topics, comma-separated")
		fs.StringVar(&visibility, "visibility", "", "private, participants or public")
		fs.StringVar(&in.Link, "link", "", "an http or https address of the document")
		fs.StringVar(&file, "file", "", "the document's file")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "add" && as == "" {
		return errors.New(libraryUsage)
	}
	who, err := asAccount(ctx, a, as)
	if err != nil {
		return err
	}
	if sub != "add" {
		f.Type = library.Type(typ)
		if sub == "search" {
			if len(left) == 0 {
				return errors.New(libraryUsage)
			}
			f.Query = strings.Join(left, " ")
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tBY\tTYPE\tLANGUAGE\tVISIBILITY\tSTATUS\tTITLE")
		err := everyPage(page.Request{Limit: page.MaxLimit}, func(req page.Request) (string, error) {
			p, err := a.Library.List(ctx, who, f, req)
			for _, d := range p.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, side(d.Owner), d.Type, d.Language, d.Visibility, d.Status, d.Title)
			}
			return p.Next, err
		})
		if err != nil {
			return describe(err)
		}
		return tw.Flush()
	}

	in.Type, in.Status, in.Visibility = library.Type(typ), library.Status(status), library.Visibility(visibility)
	in.Provisions, in.Topics = commaList(provisions), commaList(topics)
	unread := map[string]string{}
	if date != "" {
		t, err := time.Parse(time.DateOnly, date)
		if err != nil {
			unread["date"] = "enter a date such as 2025-06-30"
		} else {
			in.Date = &t
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("-file: %w", err)
		}
		in.File = &messaging.Upload{Name: filepath.Base(file), MediaType: mime.TypeByExtension(filepath.Ext(file)), Content: bytes.NewReader(b)}
	}
	if len(unread) > 0 {
		// The service names every other flag to fix, writing nothing.
		err := a.Library.Check(ctx, who, "", in)
		if err != nil && !errs.Is(err, errs.Invalid) {
			return describe(err)
		}
		var bad errs.Fields
		for k, v := range errs.FieldsOf(fieldsAs(err, libraryFlags)) {
			bad.Add(k, v)
		}
		for k, v := range unread {
			bad.Add(k, v)
		}
		return describe(bad.Err())
	}
	d, err := a.Library.Add(ctx, who, in)
	if err != nil {
		return describe(fieldsAs(err, libraryFlags))
	}
	what := d.Link
	if d.HasFile() {
		what = fmt.Sprintf("%s, %d bytes, text %s", d.File.Name, d.File.Size, d.Text)
	}
	fmt.Fprintf(stdout, "added %s (%s): %s\n", d.ID, what, d.Title)
	return nil
}

// commaList splits a flag's comma-separated values, leaving out blanks.
func commaList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
