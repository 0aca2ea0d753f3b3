package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

const profilesUsage = `usage:
  detente profiles show [-as EMAIL] XX               what a State has made known: reports, documents, provisions, partnerships
  detente profiles compare [-as EMAIL] XX YY [ZZ]    up to three States side by side, provision by provision
  detente profiles counts [-as EMAIL]                how many States reported measures under each provision`

// cmdProfiles prints State profiles (CBM 3) as the named account, or the
// operator, may read them. As on the pages, nothing is ranked: rows keep
// the framework's order, columns the order asked for, and no total is
// given per State.
func cmdProfiles(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "show" && args[0] != "compare" && args[0] != "counts") {
		return errors.New(profilesUsage)
	}
	sub, rest := args[0], args[1:]
	// State codes may come before or after the flags.
	var codes []string
	for len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		codes, rest = append(codes, strings.ToUpper(rest[0])), rest[1:]
	}
	var as string
	a, left, err := opCommand(ctx, "profiles "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "act as the account with this email address")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	for _, c := range left {
		codes = append(codes, strings.ToUpper(c))
	}
	who, err := asAccount(ctx, a, as)
	if err != nil {
		return err
	}
	svc := a.Profiles
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	switch sub {
	case "show":
		if len(codes) != 1 {
			return errors.New(profilesUsage)
		}
		p, err := svc.Profile(ctx, who, codes[0])
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "%s (%s)\n", p.State.Name, p.State.Code)
		if p.State.ParticipatingSince != nil {
			fmt.Fprintf(stdout, "takes part in the directory since %s\n", p.State.ParticipatingSince.UTC().Format(time.DateOnly))
		}
		fmt.Fprintln(stdout, "\nREPORTS")
		for _, r := range p.Reports {
			fmt.Fprintf(tw, "%s\tcycle %s\t%s\n", r.ID, r.Cycle, r.Visibility)
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nMEASURES REPORTED UNDER")
		for _, pr := range p.Measures {
			fmt.Fprintf(stdout, "%s\t%s\n", pr.ID, pr.ShortTitle)
		}
		fmt.Fprintln(stdout, "\nDOCUMENTS")
		for _, d := range p.Documents {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.ID, d.Type, d.Status, d.Title)
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nPARTNERSHIPS")
		for _, x := range p.Partnerships {
			fmt.Fprintf(tw, "%s\twith %s\t%s\n", x.ID, side(x.Partner), x.Title)
		}
		return tw.Flush()
	case "compare":
		c, err := svc.Compare(ctx, who, codes)
		if err != nil {
			return describe(flagFields(err))
		}
		fmt.Fprint(tw, "PROVISION")
		for _, st := range c.States {
			fmt.Fprintf(tw, "\t%s", st.Code)
		}
		fmt.Fprintln(tw)
		for _, r := range c.Rows {
			fmt.Fprint(tw, r.Provision.ID)
			for _, cell := range r.Cells {
				var parts []string
				if cell.Measures {
					parts = append(parts, "measures")
				}
				if cell.Documents > 0 {
					parts = append(parts, fmt.Sprintf("%d documents", cell.Documents))
				}
				if len(parts) == 0 {
					parts = []string{"-"}
				}
				fmt.Fprintf(tw, "\t%s", strings.Join(parts, ", "))
			}
			fmt.Fprintln(tw)
		}
		return tw.Flush()
	default:
		if len(codes) != 0 {
			return errors.New(profilesUsage)
		}
		t, err := svc.Counts(ctx, who)
		if err != nil {
			return describe(err)
		}
		if t.Cycle == "" {
			fmt.Fprintln(stdout, "no survey cycle has been opened yet")
			return nil
		}
		fmt.Fprintf(stdout, "States whose report of the %s cycle records measures, per provision\n", t.Cycle)
		for _, n := range t.Counts {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", n.Provision.ID, n.States, n.Provision.ShortTitle)
		}
		return tw.Flush()
	}
}
