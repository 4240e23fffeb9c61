package main

import (
	"fmt"
	"image/color"
	"runtime"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

func cpuCount() int { return runtime.NumCPU() }

// label names run i of recs: its workload, numbered when it repeats (bank).
func label(recs []record, i int) string {
	n, k := 0, 0
	for j, r := range recs {
		if r.Workload == recs[i].Workload {
			n++
			if j <= i {
				k++
			}
		}
	}
	if n == 1 {
		return recs[i].Workload
	}
	return fmt.Sprintf("%s #%d", recs[i].Workload, k)
}

// plotBlocks draws code-0 txs per block against seconds since the run's
// first busy block, one line per run; bank runs are grey.
func plotBlocks(recs []record, path string) error {
	p := plot.New()
	p.Title.Text = "Committed txs per block (code 0)"
	p.X.Label.Text = "seconds since the run's first block"
	p.Y.Label.Text = "txs in block"
	p.Legend.Top = true
	colour := 0
	for i, r := range recs {
		pts := make(plotter.XYs, len(r.Blocks))
		for j, b := range r.Blocks {
			pts[j] = plotter.XY{X: b.T, Y: float64(b.OK)}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		if r.Workload == "bank" {
			line.Color = color.Gray{Y: 160}
			if i == 0 {
				p.Legend.Add("bank (every baseline run)", line)
			}
		} else {
			line.Color = plotutil.Color(colour)
			line.Dashes = plotutil.Dashes(colour / 7)
			colour++
			p.Legend.Add(label(recs, i), line)
		}
		line.Width = vg.Points(1.5)
		p.Add(line)
	}
	return p.Save(9*vg.Inch, 5*vg.Inch, path)
}

// plotLatencyCDF draws the inclusion-latency distribution of each
// streaming run and of the first bank run.
func plotLatencyCDF(recs []record, path string) error {
	p := plot.New()
	p.Title.Text = "Inclusion latency CDF (broadcast to block seen)"
	p.X.Label.Text = "latency (ms)"
	p.Y.Label.Text = "fraction of txs"
	p.Legend.Top = true
	p.Legend.Left = false
	p.Y.Max = 1
	colour, bankDone := 0, false
	for i, r := range recs {
		if r.Workload == "bank" && bankDone {
			continue
		}
		pts := make(plotter.XYs, len(r.LatencyCDF))
		for j, ms := range r.LatencyCDF {
			pts[j] = plotter.XY{X: ms, Y: float64(j+1) / float64(len(r.LatencyCDF))}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.Width = vg.Points(1.5)
		if r.Workload == "bank" {
			bankDone = true
			line.Color = color.Black
			p.Legend.Add(label(recs, i), line)
		} else {
			line.Color = plotutil.Color(colour)
			line.Dashes = plotutil.Dashes(colour / 7)
			colour++
			p.Legend.Add(label(recs, i), line)
		}
		p.Add(line)
	}
	return p.Save(9*vg.Inch, 5*vg.Inch, path)
}
