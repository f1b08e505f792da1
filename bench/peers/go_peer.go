// go_peer.go — github.com/ekzhu/minhash-lsh (Debian's
// golang-github-ekzhu-minhash-lsh-dev) on a prepared corpus.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o go_peer go_peer.go
//	go_peer DIR OUT
//
// Reads DIR/texts.txt (fanwen-peers-prepare: fanwen's normalized texts, one
// a line), and does what a user of the package does to find near-duplicates
// at Jaccard 0.8: each text's distinct 5-character shingles (a text shorter
// than 5 characters is one shingle, as in fanwen), as UTF-8 bytes, pushed
// into a Minhash of 128 hash functions (NewMinhash: two seeded FNV-1a
// hashes combined, from github.com/dgryski/go-minhash); every signature
// added to NewMinhashLSH(128, 0.8), the package's own banding (Params), and
// indexed; then every document queried. Each (a, b) with a < b that a query
// returns is a candidate; the package does not verify them.
//
// Writes OUT: `a,b` per candidate, line numbers of texts.txt, sorted; and
// prints `seconds=S cpu_seconds=C bands=B rows=R candidates=N` on stdout. S
// is the wall time of shingling, Minhash, adding, indexing and the queries,
// from the texts in memory, on one thread (GOMAXPROCS=1 in bench/peers/run),
// and C the process's CPU time over the same span (the garbage collector
// included); starting the program and reading texts.txt are not in them.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"syscall"
	"time"
	"unicode/utf8"

	minhashlsh "github.com/ekzhu/minhash-lsh"
)

const (
	ngram     = 5
	perms     = 128
	threshold = 0.8
	seed      = 1
)

// sketch pushes the text's distinct shingles into a new Minhash. The map
// is keyed by substrings of text (no copy); each shingle is pushed once.
func sketch(text string, seen map[string]struct{}) []uint64 {
	m := minhashlsh.NewMinhash(seed, perms)
	starts := make([]int, 0, len(text)/3+1)
	for i := range text {
		starts = append(starts, i)
	}
	starts = append(starts, len(text))
	chars := len(starts) - 1
	if chars > 0 && chars < ngram {
		m.Push([]byte(text))
		return m.Signature()
	}
	for k := range seen {
		delete(seen, k)
	}
	for i := 0; i+ngram <= chars; i++ {
		s := text[starts[i]:starts[i+ngram]]
		if _, dup := seen[s]; dup {
			continue
		}
		seen[s] = struct{}{}
		m.Push([]byte(s))
	}
	return m.Signature()
}

// cpuSeconds is the CPU time, user and system, of the whole process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go_peer DIR OUT")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1] + "/texts.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		if !utf8.ValidString(sc.Text()) {
			fmt.Fprintln(os.Stderr, "texts.txt is not UTF-8")
			os.Exit(1)
		}
		texts = append(texts, sc.Text())
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()

	start, startCPU := time.Now(), cpuSeconds()
	seen := make(map[string]struct{})
	sigs := make([][]uint64, len(texts))
	for i, t := range texts {
		sigs[i] = sketch(t, seen)
	}
	lsh := minhashlsh.NewMinhashLSH(perms, threshold)
	for i, sig := range sigs {
		lsh.Add(i, sig)
	}
	lsh.Index()
	type pair struct{ a, b int }
	candidates := make(map[pair]struct{})
	for i, sig := range sigs {
		for _, key := range lsh.Query(sig) {
			j := key.(int)
			if j < i {
				candidates[pair{j, i}] = struct{}{}
			} else if j > i {
				candidates[pair{i, j}] = struct{}{}
			}
		}
	}
	seconds, cpu := time.Since(start).Seconds(), cpuSeconds()-startCPU

	list := make([]pair, 0, len(candidates))
	for p := range candidates {
		list = append(list, p)
	}
	sort.Slice(list, func(x, y int) bool {
		return list[x].a < list[y].a || (list[x].a == list[y].a && list[x].b < list[y].b)
	})
	out, err := os.Create(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(out)
	for _, p := range list {
		fmt.Fprintf(w, "%d,%d\n", p.a, p.b)
	}
	if err := w.Flush(); err != nil || out.Close() != nil {
		fmt.Fprintln(os.Stderr, "cannot write", os.Args[2])
		os.Exit(1)
	}
	rows, bands := lsh.Params()
	fmt.Printf("seconds=%.3f cpu_seconds=%.3f bands=%d rows=%d candidates=%d\n", seconds, cpu,
		bands, rows, len(list))
}
