# eaves decode plot: render with gnuplot decode-ctx.gp
if (!exists("png_out")) png_out = 'decode-ctx.png'
if (!exists("svg_out")) svg_out = 'decode-ctx.svg'
set title "TinyLlama-1.1B decode, 2 threads: tokens/s by context length (KV cache filled to it)" noenhanced
set logscale x 2
set xlabel 'context length (tokens)'
set ylabel 'tokens/s'
set yrange [0:*]
set grid lc rgb '#dddddd'
set key outside right top noenhanced
set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced
set output png_out
plot 'decode-ctx.dat' index 0 with linespoints pt 7 ps 1.3 lw 2 lc rgb '#d62728' title "q4_0 measured", \
     'decode-ctx.dat' index 1 with lines dt 2 lw 2 lc rgb '#d62728' title "q4_0 ceiling (33.9 GB/s)", \
     'decode-ctx.dat' index 2 with linespoints pt 7 ps 1.3 lw 2 lc rgb '#1f77b4' title "q8_0 measured", \
     'decode-ctx.dat' index 3 with lines dt 2 lw 2 lc rgb '#1f77b4' title "q8_0 ceiling (57.3 GB/s)", \
     'decode-ctx.dat' index 4 with linespoints pt 7 ps 1.3 lw 2 lc rgb '#2ca02c' title "f16 measured", \
     'decode-ctx.dat' index 5 with lines dt 2 lw 2 lc rgb '#2ca02c' title "f16 ceiling (59.8 GB/s)"
set terminal svg size 1200,700 dynamic font 'Sans,11' noenhanced
set output svg_out
replot
set output
