package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/survey"
)

const surveyUsage = `usage:
  detente survey cycles [-as EMAIL]                                      the survey's cycles, newest first
  detente survey open-cycle [-as EMAIL] -name N -opens DAY -deadline DAY  open a cycle (the secretariat)
  detente survey reports [-as EMAIL] CYCLE                               the reports of a cycle (its id or name) the account may read
  detente survey export [-as EMAIL] [-format json|csv] REPORT            a report with its answers, as the report page exports it`

// cmdSurvey reads the national survey and opens its cycles, as the named
// account or as the operator with the secretariat's authority, who reads
// reports from submission on and never a State's draft.
func cmdSurvey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(surveyUsage)
	}
	sub, rest := args[0], args[1:]
	if sub != "cycles" && sub != "open-cycle" && sub != "reports" && sub != "export" {
		return errors.New(surveyUsage)
	}
	arg, rest := leadingArg(rest)
	var as, name, opens, deadline, format string
	a, left, err := opCommand(ctx, "survey "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
		switch sub {
		case "open-cycle":
			fs.StringVar(&name, "name", "", "the cycle's name, such as 2027")
			fs.StringVar(&opens, "opens", "", "the day it opens, such as 2027-01-15")
			fs.StringVar(&deadline, "deadline", "", "the last day reports are submitted, such as 2027-06-30")
		case "export":
			fs.StringVar(&format, "format", "json", "json or csv")
		}
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if arg == "" && len(left) == 1 {
		arg = left[0]
	}
	who, err := asAccount(ctx, a, as)
	if err != nil {
		return err
	}
	switch sub {
	case "cycles":
		return printCycles(ctx, a, who, stdout)
	case "open-cycle":
		// A day that cannot be read goes to the service as one out of
		// range, so that every other flag to fix is named too.
		in := survey.CycleInput{Name: name}
		unread := map[string]string{}
		for _, d := range []struct {
			flag, v string
			dst     **time.Time
		}{{"opens", opens, &in.Opens}, {"deadline", deadline, &in.Deadline}} {
			if d.v == "" {
				continue
			}
			t, err := time.Parse(time.DateOnly, d.v)
			if err != nil {
				t, unread[d.flag] = time.Time{}, "enter a date such as 2027-05-01"
			}
			*d.dst = &t
		}
		c, err := a.Survey.OpenCycle(ctx, who, in)
		if err != nil {
			return describe(withFields(err, unread))
		}
		fmt.Fprintf(stdout, "opened %s: %s, %s to %s\n", c.ID, c.Name, c.Opens.Format(time.DateOnly), c.Deadline.Format(time.DateOnly))
		return nil
	case "reports":
		if arg == "" {
			return errors.New(surveyUsage)
		}
		id, err := cycleID(ctx, a, who, arg)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATE\tSTATUS\tVISIBILITY\tVERSION\tSUBMITTED")
		err = everyPage(page.Request{Limit: page.MaxLimit}, func(req page.Request) (string, error) {
			p, err := a.Survey.Reports(ctx, who, id, req)
			for _, r := range p.Items {
				vis, submitted := "-", "-"
				if r.Status == survey.Published {
					vis = string(r.Visibility)
				}
				if r.SubmittedAt != nil {
					submitted = r.SubmittedAt.UTC().Format(time.DateOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Status, vis, strconv.Itoa(r.Version), submitted)
			}
			return p.Next, err
		})
		if err != nil {
			return describe(err)
		}
		return tw.Flush()
	}
	if arg == "" {
		return errors.New(surveyUsage)
	}
	if format != "json" && format != "csv" {
		return errors.New("-format: use json or csv")
	}
	rep, err := a.Survey.Report(ctx, who, arg)
	if err != nil {
		return describe(err)
	}
	if format == "csv" {
		return survey.WriteCSV(stdout, rep)
	}
	return survey.WriteJSON(stdout, rep)
}

func printCycles(ctx context.Context, a *app.App, who actor.Actor, stdout io.Writer) error {
	now := a.Clock.Now()
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tOPENS\tDEADLINE\tOPEN")
	err := everyPage(page.Request{Limit: page.MaxLimit}, func(req page.Request) (string, error) {
		p, err := a.Survey.Cycles(ctx, who, req)
		for _, c := range p.Items {
			open := "yes"
			switch {
			case now.Before(c.Opens):
				open = "not yet"
			case c.Closed(now):
				open = "closed"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Opens.Format(time.DateOnly), c.Deadline.Format(time.DateOnly), open)
		}
		return p.Next, err
	})
	if err != nil {
		return describe(err)
	}
	return tw.Flush()
}

// cycleID finds the cycle named by its id or its name.
func cycleID(ctx context.Context, a *app.App, who actor.Actor, arg string) (string, error) {
	if c, err := a.Survey.Cycle(ctx, who, arg); err == nil {
		return c.ID, nil
	}
	id := ""
	err := everyPage(page.Request{Limit: page.MaxLimit}, func(req page.Request) (string, error) {
		p, err := a.Survey.Cycles(ctx, who, req)
		for _, c := range p.Items {
			if c.Name == arg {
				id = c.ID
				return "", err
			}
		}
		return p.Next, err
	})
	if err != nil {
		return "", describe(err)
	}
	if id == "" {
		return "", fmt.Errorf("no survey cycle %q", arg)
	}
	return id, nil
}

// withFields is err with the messages of fields replaced by those given.
func withFields(err error, fields map[string]string) error {
	var e *errs.Error
	if len(fields) == 0 || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = maps.Clone(e.Fields)
	maps.Copy(out.Fields, fields)
	return &out
}
