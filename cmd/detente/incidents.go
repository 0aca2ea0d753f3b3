package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/incident"
)

const incidentsUsage = `usage:
  detente incidents export [-as EMAIL] [-id ID] [-out FILE]   a STIX 2.1 bundle of the incidents the account may read
  detente incidents import -as EMAIL FILE                     record a STIX 2.1 bundle's incidents for the account's State`

// cmdIncidents exports and imports incidents as STIX 2.1, acting as the
// account named by -as; without it, export reads as the operator, with the
// secretariat's authority (TLP:CLEAR only).
func cmdIncidents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(incidentsUsage)
	}
	sub, rest := args[0], args[1:]
	var as, id, out *string
	own := func(fs *flag.FlagSet) {
		as = fs.String("as", "", "act as the account with this email address")
		if sub == "export" {
			id = fs.String("id", "", "export only this incident")
			out = fs.String("out", "", "write the bundle to this file rather than to standard output")
		}
	}
	if sub != "export" && sub != "import" {
		return errors.New(incidentsUsage)
	}
	// Flags may come before or after the file.
	var file string
	if sub == "import" && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		file, rest = rest[0], rest[1:]
	}
	a, left, err := opCommand(ctx, "incidents "+sub, rest, getenv, stderr, own)
	if err != nil {
		return err
	}
	defer a.Close()
	who := actor.Operator
	if *as != "" {
		acc, err := a.Access.AccountByEmail(ctx, actor.Operator, *as)
		if err != nil {
			return fmt.Errorf("-as %s: %w", *as, err)
		}
		who = acc.Actor()
	}
	svc := a.IncidentsSTIX
	switch sub {
	case "export":
		var b []byte
		if *id != "" {
			b, err = svc.Export(ctx, who, *id)
		} else {
			b, err = svc.ExportAll(ctx, who, incident.Filter{})
		}
		if err != nil {
			return err
		}
		if *out != "" {
			return os.WriteFile(*out, b, 0o600)
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	default:
		if file == "" && len(left) == 1 {
			file = left[0]
		}
		if file == "" || *as == "" {
			return errors.New(incidentsUsage)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		sum, err := svc.Import(ctx, who, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "bundle %s: %d objects\n", sum.Bundle, sum.Objects)
		for _, m := range sum.Incidents {
			fmt.Fprintf(stdout, "incident %s from %s: %s\n", m.ID, m.Object, m.Title)
		}
		fmt.Fprintf(stdout, "%d assessments, %d findings\n", len(sum.Attributions), len(sum.Findings))
		for _, f := range sum.Failures {
			fmt.Fprintf(stdout, "not recorded: %s: %s\n", f.Object, f.Message)
		}
		if sum.Stored != nil {
			fmt.Fprintf(stdout, "kept in the State's TAXII collection: %d, refused: %d\n", len(sum.Stored.Successes), len(sum.Stored.Failures))
			for _, f := range sum.Stored.Failures {
				fmt.Fprintf(stdout, "refused: %s: %s\n", f.ID, f.Message)
			}
		}
		return nil
	}
}
