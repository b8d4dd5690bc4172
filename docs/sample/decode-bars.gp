# eaves decode bars: render with gnuplot decode-bars.gp
if (!exists("png_out")) png_out = 'decode-bars.png'
if (!exists("svg_out")) svg_out = 'decode-bars.svg'
set title "TinyLlama-1.1B decode, 2 threads: measured tokens/s against the ceilings" noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel 'tokens/s'
set yrange [0:*]
set grid ytics lc rgb '#dddddd'
set key outside right top noenhanced
set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced
set output png_out
plot 'decode-bars.dat' using 2:xtic(1) lc rgb '#d62728' title 'measured', \
     '' using 3 lc rgb '#7f7f7f' title 'ceiling: measured DRAM (~59.8 GB/s)', \
     '' using 5 lc rgb '#1f77b4' title 'compute ceiling (weights in cache)'
set terminal svg size 1200,700 dynamic font 'Sans,11' noenhanced
set output svg_out
replot
set output
