# eaves roofline plot. Render in this folder with: gnuplot roofline.gp
if (!exists("png_out")) png_out = 'roofline.png'
if (!exists("svg_out")) svg_out = 'roofline.svg'
set title "Roofline: vm (AMD EPYC), 2 threads, 2026-11-26T01:00:55Z" noenhanced
set logscale xy 2
set xlabel 'Arithmetic intensity (FLOP/byte)'
set ylabel 'Performance (GFLOP/s; INT8 in GOP/s)'
set xrange [0.03125:128]
set yrange [0.571808:2353.02]
set format x '%g'
set format y '%g'
set grid xtics ytics lc rgb '#dddddd'
set key outside right top vertical noenhanced spacing 1.2 font ',10'
set border lw 1.2
set terminal pngcairo size 1500,850 font 'Sans,11' noenhanced
set output png_out
plot  'roofline.dat' index 0 with lines lw 1.5 dt 1 lc rgb '#2ca02c' title "L1 431.3 GB/s", \
      'roofline.dat' index 1 with lines lw 1.5 dt 1 lc rgb '#17becf' title "L2 236.3 GB/s", \
      'roofline.dat' index 2 with lines lw 1.5 dt 1 lc rgb '#9467bd' title "L3 198.2 GB/s", \
      'roofline.dat' index 3 with lines lw 2.5 dt 1 lc rgb '#d62728' title "DRAM 36.6 GB/s", \
      'roofline.dat' index 4 with lines lw 2 dt 1 lc rgb '#1f77b4' title "fp64 117.9 GFLOP/s", \
      'roofline.dat' index 5 with lines lw 2 dt 1 lc rgb '#ff7f0e' title "fp32 235.9 GFLOP/s", \
      'roofline.dat' index 6 with lines lw 2 dt 1 lc rgb '#bcbd22' title "bf16 470.2 GFLOP/s", \
      'roofline.dat' index 7 with lines lw 2 dt 1 lc rgb '#7f7f7f' title "int8 941.2 GOP/s", \
      'roofline.dat' index 8 using 1:2:3 with labels point pt 7 ps 1.2 lc rgb '#000000' offset char 0.8,-0.9 font ',9' title "ridge points (FLOP/byte)", \
      'roofline.dat' index 9 using 1:2:3 with labels point pt 9 ps 1.8 lc rgb '#d62728' offset char 1,0.8 left font ',9' title "decode (measured)"
set terminal svg size 1500,850 dynamic font 'Sans,11' noenhanced
set output svg_out
replot
set output
