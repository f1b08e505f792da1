#!/usr/bin/env bash
# Makes the planted copies in docs/reports/ from their sources, the way template
# sites make them. Run from corpus/; the outputs are committed beside it.
set -euo pipefail
cd "$(dirname "$0")/docs/reports"

# The year changed everywhere (2014→2023, 2015→2024, 2016→2025).
sed 's/2016/2025/g; s/2015/2024/g; s/2014/2023/g' edu_summary_2015.txt > edu_summary_2024.txt

# The place name changed everywhere.
sed 's/株洲/湘潭/g' health_plan_zhuzhou.txt > health_plan_xiangtan.txt

# The paragraphs reordered (title kept first; paragraphs are separated by
# blank lines).
awk 'BEGIN { RS = ""; ORS = "\n\n" } { p[NR] = $0 } END {
       n = split("1 3 7 2 9 5 10 4 8 6", order, " ")
       for (i = 1; i <= n; i++) print p[order[i]] }' agri_report_a.txt > agri_report_b.txt
