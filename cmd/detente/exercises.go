package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/scenario"
)

const exercisesUsage = `usage:
  detente exercises list [-as EMAIL]                              the exercise runs the account may see
  detente exercises report [-as EMAIL] [-format text|csv|json] ID  a run's after-action report
  detente scenarios list [-as EMAIL] [-owner shipped|mine]        the scenarios the account may read
  detente scenarios export [-as EMAIL] [-version N] ID            a scenario in the documented file format (docs/SCENARIOS.md)
  detente scenarios import -as EMAIL FILE                         a scenario file, as a new scenario of the account's side`

// asAccount is the actor a command acts as: the account named by -as, or
// the operator with the secretariat's authority.
func asAccount(ctx context.Context, a *app.App, email string) (actor.Actor, error) {
	if email == "" {
		return actor.Operator, nil
	}
	acc, err := a.Access.AccountByEmail(ctx, actor.Operator, email)
	if err != nil {
		return actor.Actor{}, fmt.Errorf("-as %s: %w", email, err)
	}
	return acc.Actor(), nil
}

// nextPage is the request for the page after the one whose cursor is next.
func nextPage(next string) (page.Request, error) {
	key, err := page.Decode(next)
	return page.Request{Limit: page.MaxLimit, After: key}, err
}

// leadingArg takes a positional argument given before the flags.
func leadingArg(rest []string) (string, []string) {
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		return rest[0], rest[1:]
	}
	return "", rest
}

// cmdExercises lists exercise runs and prints their reports. Everything it
// prints about a run says EXERCISE, as every page and mail of one does.
func cmdExercises(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "report") {
		return errors.New(exercisesUsage)
	}
	sub, rest := args[0], args[1:]
	id, rest := leadingArg(rest)
	var as, format string
	a, left, err := opCommand(ctx, "exercises "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
		if sub == "report" {
			fs.StringVar(&format, "format", "text", "text, csv or json")
		}
	})
	if err != nil {
		return err
	}
	defer a.Close()
	who, err := asAccount(ctx, a, as)
	if err != nil {
		return err
	}
	if sub == "list" {
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tPLANNED START\tSTATES\tFACTOR\tTITLE")
		req := page.Request{Limit: page.MaxLimit}
		for {
			p, err := a.Exercises.Runs(ctx, who, req)
			if err != nil {
				return describe(err)
			}
			for _, r := range p.Items {
				status, planned := string(r.Status), "-"
				if r.Cancelled {
					status = "cancelled"
				}
				if r.PlannedStart != nil {
					planned = r.PlannedStart.UTC().Format("2006-01-02 15:04Z")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\tEXERCISE: %s\n", r.ID, status, planned, r.States(), r.Factor, r.Title)
			}
			if p.Next == "" {
				break
			}
			if req, err = nextPage(p.Next); err != nil {
				return err
			}
		}
		return tw.Flush()
	}
	if id == "" && len(left) == 1 {
		id = left[0]
	}
	if id == "" {
		return errors.New(exercisesUsage)
	}
	rep, err := a.Exercises.Report(ctx, who, id)
	if err != nil {
		return describe(err)
	}
	switch format {
	case "csv":
		return exercise.WriteCSV(stdout, rep, nil)
	case "json":
		return exercise.WriteJSON(stdout, rep)
	case "text":
		printExerciseReport(stdout, rep)
		return nil
	}
	return fmt.Errorf("-format: use text, csv or json")
}

// printExerciseReport prints a report's results in scenario order, then
// the notes, as the report page does; nobody is ranked.
func printExerciseReport(w io.Writer, rep exercise.Report) {
	r := rep.Run
	fmt.Fprintf(w, "EXERCISE: %s\n%s · %s · factor %d · %v\n\n", r.Title, r.Scenario.Title, r.Status, r.Factor, r.States())
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INJECT\tSTATE\tLEVEL\tEXPECTED\tWITHIN\tOUTCOME\tTOOK")
	for _, x := range rep.Results {
		within, took := "-", "-"
		if x.Within > 0 {
			within = x.Within.String()
		}
		if x.Measured != nil {
			took = x.Measured.Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Inject, x.State, x.Level, x.Action, within, x.Outcome, took)
	}
	tw.Flush()
	if len(rep.Notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range rep.Notes {
		side := n.State
		if side == "" {
			side = "secretariat"
		}
		fmt.Fprintf(w, "%s (%s, %s): %s\n", n.Kind, side, n.By, n.Text)
	}
}

// cmdScenarios lists, exports and imports exercise scenarios.
func cmdScenarios(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(exercisesUsage)
	}
	sub, rest := args[0], args[1:]
	if sub != "list" && sub != "export" && sub != "import" {
		return errors.New(exercisesUsage)
	}
	arg, rest := leadingArg(rest)
	var as, owner string
	var version int
	a, left, err := opCommand(ctx, "scenarios "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
		switch sub {
		case "list":
			fs.StringVar(&owner, "owner", "", "shipped for those that ship with detente, mine for the account's side's")
		case "export":
			fs.IntVar(&version, "version", 0, "the version to export (default the newest)")
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
	case "list":
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tVERSION\tOWNER\tINJECTS\tDURATION\tTITLE")
		req := page.Request{Limit: page.MaxLimit}
		for {
			p, err := a.Scenarios.List(ctx, who, scenario.Filter{Owner: owner}, req)
			if err != nil {
				return describe(err)
			}
			for _, s := range p.Items {
				by := s.OwnerState
				switch {
				case s.Shipped:
					by = "shipped"
				case by == "":
					by = "secretariat"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, strconv.Itoa(s.Version), by, s.Injects, s.Duration, s.Title)
			}
			if p.Next == "" {
				break
			}
			if req, err = nextPage(p.Next); err != nil {
				return err
			}
		}
		return tw.Flush()
	case "export":
		if arg == "" {
			return errors.New(exercisesUsage)
		}
		b, _, err := a.Scenarios.Export(ctx, who, arg, version)
		if err != nil {
			return describe(err)
		}
		_, err = stdout.Write(b)
		return err
	default:
		if arg == "" || as == "" {
			return errors.New(exercisesUsage)
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			return err
		}
		sc, err := a.Scenarios.Import(ctx, who, b)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "imported %s, version %d: %s (%d injects)\n", sc.ID, sc.Version, sc.Title, len(sc.Injects))
		return nil
	}
}
