package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/detente/detente/internal/catalog"
)

// cmdFramework reads the framework catalogue from the terminal. It needs no
// database: the texts are compiled in.
func cmdFramework(args []string, stdout io.Writer) error {
	cat, err := catalog.New()
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"list"}
	}
	switch args[0] {
	case "list":
		f := catalog.Filter{}
		if len(args) > 1 {
			f.Kind = catalog.Kind(args[1])
			if !f.Kind.Valid() {
				return fmt.Errorf("unknown kind %q: use norm, law, cbm or recommendation", args[1])
			}
		}
		printProvisions(stdout, cat.Provisions(f))
		return nil
	case "search":
		if len(args) < 2 {
			return errors.New("usage: detente framework search WORDS…")
		}
		res := cat.Search(strings.Join(args[1:], " "))
		if len(res) == 0 {
			fmt.Fprintln(stdout, "nothing matches")
			return nil
		}
		printProvisions(stdout, res)
		return nil
	case "show":
		if len(args) != 2 {
			return errors.New("usage: detente framework show ID (e.g. norm-h)")
		}
		p, err := cat.Provision(args[1])
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "%s — %s\n%s\n\n%s\n", p.ID, p.ShortTitle, p.Citation(), p.Text)
		printItems(stdout, p.Items, "  ")
		if len(p.Related) > 0 {
			fmt.Fprintf(stdout, "\nRelated: %s\n", strings.Join(p.Related, ", "))
		}
		return nil
	case "misp":
		b, err := cat.MISPTaxonomy()
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	}
	return fmt.Errorf("usage: detente framework [list [KIND] | search WORDS… | show ID | misp]")
}

func printProvisions(w io.Writer, ps []catalog.Provision) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.ID, p.ShortTitle, p.Citation())
	}
	tw.Flush()
}

func printItems(w io.Writer, items []catalog.Item, indent string) {
	for _, it := range items {
		label := ""
		if it.Label != "" {
			label = it.Label + ") "
		}
		fmt.Fprintf(w, "%s%s%s\n", indent, label, it.Text)
		if it.Source != "" {
			fmt.Fprintf(w, "%s  [%s]\n", indent, it.Source)
		}
		printItems(w, it.Items, indent+"  ")
	}
}
