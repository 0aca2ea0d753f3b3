package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/wire"
)

const checksUsage = `usage:
  detente checks list
  detente checks create -name NAME [-scope all|regions|states] [-in LIST] [-levels LIST] [-window 72h] [-remind 48h] [-repeat MONTHS] [-opens RFC3339]
  detente checks report ID
  detente checks publish [-withdraw] ID`

// opCommand parses a command's own flags beside the server settings and
// opens the App; the operator at the server's console acts with the
// secretariat's authority, as the audit log records.
func opCommand(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, own func(fs *flag.FlagSet)) (*app.App, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if own != nil {
		own(fs)
	}
	srv := config.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	cfg, err := srv.Resolve(getenv)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.Open(ctx, cfg, cfg.Logger(stderr), app.Options{})
	if err != nil {
		return nil, nil, err
	}
	return a, fs.Args(), nil
}

func cmdChecks(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(checksUsage)
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "list":
		a, _, err := opCommand(ctx, "checks list", rest, getenv, stderr, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		cs, err := a.Checks.Checks(ctx, actor.Operator)
		if err != nil {
			return describe(err)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tOPENS\tCLOSES\tPUBLISHED\tNAME")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\n", c.ID, c.Status, c.OpensAt.Format(time.RFC3339), c.ClosesAt.Format(time.RFC3339), c.Published, c.Name)
		}
		return tw.Flush()
	case "create":
		var name, scope, in, levels, opens string
		var window, remind time.Duration
		var repeat int
		a, _, err := opCommand(ctx, "checks create", rest, getenv, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "the check's name (required)")
			fs.StringVar(&scope, "scope", checks.ScopeAll, "all, regions or states")
			fs.StringVar(&in, "in", "", "with -scope regions or states: comma-separated regional groups or ISO codes")
			fs.StringVar(&levels, "levels", "diplomatic,policy,technical", "comma-separated levels")
			fs.DurationVar(&window, "window", 72*time.Hour, "how long POCs have to answer")
			fs.DurationVar(&remind, "remind", 48*time.Hour, "remind those who have not answered after this long (0: never)")
			fs.IntVar(&repeat, "repeat", 0, "repeat every this many months (0: once)")
			fs.StringVar(&opens, "opens", "", "when it opens, RFC 3339 (default now)")
		})
		if err != nil {
			return err
		}
		defer a.Close()
		var bad errs.Fields
		hours := func(flag string, d time.Duration) int {
			if d%time.Hour != 0 {
				bad.Add(flag, "use whole hours, such as 72h")
			}
			return int(d / time.Hour)
		}
		input := checks.Input{Name: name, ScopeKind: scope, Scope: splitComma(in), Levels: splitComma(levels),
			WindowHours: hours("window_hours", window), ReminderAfter: hours("reminder_after_hours", remind), RepeatMonths: repeat}
		if opens != "" {
			t, err := time.Parse(time.RFC3339, opens)
			if err != nil {
				bad.Add("opens_at", "give a date and time in RFC 3339, such as 2027-01-03T09:00:00Z")
			}
			input.OpensAt = t
		}
		if err := bad.Err(); err != nil {
			return describe(flagFields(err))
		}
		c, err := a.Checks.Create(ctx, actor.Operator, input)
		if err != nil {
			return describe(flagFields(err))
		}
		fmt.Fprintf(stdout, "scheduled %s: %q opens %s, closes %s\n", c.ID, c.Name, c.OpensAt.Format(time.RFC3339), c.ClosesAt.Format(time.RFC3339))
		fmt.Fprintln(stdout, "mails go out from the running server's job workers")
		return nil
	case "report":
		a, ids, err := opCommand(ctx, "checks report", rest, getenv, stderr, nil)
		if err != nil {
			return err
		}
		defer a.Close()
		if len(ids) != 1 {
			return errors.New(checksUsage)
		}
		v, err := a.Checks.View(ctx, actor.Operator, ids[0])
		if err != nil {
			return describe(err)
		}
		if v.Check.Status == checks.Scheduled {
			c := v.Check
			fmt.Fprintf(stdout, "%s (scheduled): opens on %s, closes %s; %d points of contact in scope\n", c.Name,
				c.OpensAt.UTC().Format("2 Jan 2006, 15:04 UTC"), c.ClosesAt.UTC().Format("2 Jan 2006, 15:04 UTC"), v.InScope)
			return nil
		}
		printReport(stdout, *v.All)
		return nil
	case "publish":
		var withdraw bool
		a, ids, err := opCommand(ctx, "checks publish", rest, getenv, stderr, func(fs *flag.FlagSet) {
			fs.BoolVar(&withdraw, "withdraw", false, "withdraw published aggregates instead")
		})
		if err != nil {
			return err
		}
		defer a.Close()
		if len(ids) != 1 {
			return errors.New(checksUsage)
		}
		if err := a.Checks.SetPublished(ctx, actor.Operator, ids[0], !withdraw); err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, map[bool]string{false: "published", true: "withdrawn"}[withdraw])
		return nil
	}
	return fmt.Errorf("unknown checks command %q\n%s", sub, checksUsage)
}

// checkFlags names the flag that sets each field of a check.
var checkFlags = map[string]string{"scope_kind": "scope", "scope": "in", "window_hours": "window", "reminder_after_hours": "remind",
	"repeat_months": "repeat", "opens_at": "opens"}

// flagFields renames err's fields to the flags of "checks create", so the
// message points at what to change on the command line.
func flagFields(err error) error { return fieldsAs(err, checkFlags) }

// fieldsAs renames err's fields by names, leaving the others as they are.
func fieldsAs(err error, names map[string]string) error {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		if f, ok := names[k]; ok {
			k = f
		}
		out.Fields[k] = v
	}
	return &out
}

func printReport(w io.Writer, rep checks.Report) {
	c := rep.Check
	fmt.Fprintf(w, "%s (%s), %s to %s\n", c.Name, c.Status, c.OpensAt.Format(time.RFC3339), c.ClosesAt.Format(time.RFC3339))
	median, p90 := "-", "-"
	if rep.Overall.Acknowledged > 0 {
		median, p90 = checks.HumanDuration(rep.Median), checks.HumanDuration(rep.P90)
	}
	fmt.Fprintf(w, "confirmed %d of %d (%.0f%%), bounced %d; median %s, p90 %s\n\n", rep.Overall.Acknowledged, rep.Overall.Total,
		rep.Overall.Rate*100, rep.Overall.Bounced, median, p90)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "GROUP\tKEY\tCHECKED\tCONFIRMED\tBOUNCED\tRATE\t")
	for _, g := range []struct {
		name string
		ts   []checks.Tally
	}{{"level", rep.ByLevel}, {"region", rep.ByRegion}, {"state", rep.ByState}} {
		for _, t := range g.ts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f%%\t\n", g.name, t.Key, t.Total, t.Acknowledged, t.Bounced, t.Rate*100)
		}
	}
	tw.Flush()
	if len(rep.Unreachable) > 0 {
		fmt.Fprintf(w, "\nnot reached (%d):\n", len(rep.Unreachable))
		for _, u := range rep.Unreachable {
			reason := "no answer"
			if u.BouncedAt != nil {
				reason = "bounced: " + u.Bounce
			}
			fmt.Fprintf(w, "  %s %-10s POC %s  %s\n", u.State, u.Level, u.POCID, reason)
		}
	}
}

const templatesUsage = `usage:
  detente templates list
  detente templates show TYPE        print the current version as JSON
  detente templates publish FILE     add a new version from a JSON file (- for standard input)`

func cmdTemplates(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(templatesUsage)
	}
	a, rest, err := opCommand(ctx, "templates "+args[0], args[1:], getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "list":
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tVERSION\tFIELDS\tTITLE")
		ts, err := a.Messaging.Templates(ctx, actor.Operator)
		if err != nil {
			return describe(err)
		}
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", t.Type, t.Version, len(t.Fields), t.Title)
		}
		return tw.Flush()
	case "show":
		if len(rest) != 1 {
			return errors.New(templatesUsage)
		}
		t, err := a.Messaging.Template(ctx, messaging.Type(rest[0]))
		if err != nil {
			return describe(err)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(wire.TemplateFrom(t))
	case "publish":
		if len(rest) != 1 {
			return errors.New(templatesUsage)
		}
		var r io.Reader = stdin
		if rest[0] != "-" {
			f, err := os.Open(rest[0])
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		var t wire.Template
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return fmt.Errorf("reading the template: %w", err)
		}
		saved, err := a.Messaging.PublishTemplate(ctx, actor.Operator, t.Domain())
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "published %s version %d\n", saved.Type, saved.Version)
		return nil
	}
	return fmt.Errorf("unknown templates command %q\n%s", args[0], templatesUsage)
}

func splitComma(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
