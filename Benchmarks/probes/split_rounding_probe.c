// Which splits of a single-threaded sgemm/dgemm give the same bits as one call (rows split at multiples of
// 4…192, columns likewise). Measured with OpenBLAS 0.3.21 (Zen and Haswell kernels): sgemm row splits at
// multiples of 12 are bit-identical, column splits are not; every dgemm split is.
//   gcc -O2 Benchmarks/probes/split_rounding_probe.c -o /tmp/split && /tmp/split   (sed s/float/double/ for dgemm)
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void openblas_set_num_threads(int);
static int AL[10]={4,8,12,16,24,32,48,64,96,192};
int main(){ int shapes[][3]={{32,512,784},{520,40,300},{33,517,211},{1000,20,120},{17,3001,43},{256,256,256},{64,64,2000},{512,512,32}};
 openblas_set_num_threads(1);
 for(int s=0;s<8;s++){int m=shapes[s][0],n=shapes[s][1],k=shapes[s][2];
  float*a=malloc(4*m*k),*b=malloc(4*k*n),*c2=calloc(m*n,4),*c3=calloc(m*n,4);
  srand(1); for(int i=0;i<m*k;i++)a[i]=rand()/(float)RAND_MAX-0.5f; for(int i=0;i<k*n;i++)b[i]=rand()/(float)RAND_MAX-0.5f;
  cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,m,n,k,1,a,k,b,n,0,c2,n);
  printf("%dx%dx%d rows:",m,n,k);
  for(int q=0;q<10;q++){int al=AL[q];{ int h=(m/2+al-1)/al*al; if(h>=m){printf(" %d:-",al);continue;}
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,h,n,k,1,a,k,b,n,0,c3,n); cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,m-h,n,k,1,a+h*k,k,b,n,0,c3+h*n,n);
   printf(" %d:%d",al,!memcmp(c3,c2,4*m*n));}}
  printf("  cols:");
  for(int q=0;q<10;q++){int al=AL[q];{ int h=(n/2+al-1)/al*al; if(h>=n){printf(" %d:-",al);continue;}
   cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,m,h,k,1,a,k,b,n,0,c3,n); cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,m,n-h,k,1,a,k,b+h,n,0,c3+h,n);
   printf(" %d:%d",al,!memcmp(c3,c2,4*m*n));}}
  printf("\n");}
}
