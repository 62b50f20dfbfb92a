// OpenBLAS threading probe (C, outside SwiftPM): for the 8 products of a W1 step at batch 32/256 × width
// 128/512/2048, the best of N interleaved runs of
//   2thr       one cblas_sgemm with OpenBLAS's 2 threads,
//   1thr       one cblas_sgemm with openblas_set_num_threads(1),
//   split      two single-threaded sgemms on two threads (a spinning worker), each half the output,
//   split@2thr the same two halves while OpenBLAS is at 2 threads (each half is then threaded by OpenBLAS, and
//              its level-3 mutex runs the two one after the other).
//   gcc -O2 Benchmarks/probes/threading_probe.c -o /tmp/probe -lopenblas -lpthread
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/probe
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
void openblas_set_num_threads(int);
char* openblas_get_config(void);
char* openblas_get_corename(void);
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
typedef struct {int ta,tb,m,n,k; float *a,*b,*c;} job;
static job J; static atomic_int go=0, done=0; static atomic_int quit=0;
static void piece(job *j,int part,int parts){
  int lda=j->ta?j->m:j->k, ldb=j->tb?j->k:j->n;
  if (j->m>=j->n){ int s=(j->m+parts-1)/parts, m0=part*s, mm=j->m-m0<s?j->m-m0:s; if(mm<=0)return;
    const float*a=j->ta? j->a+m0 : j->a+(size_t)m0*lda;
    cblas_sgemm(CblasRowMajor,j->ta?CblasTrans:CblasNoTrans,j->tb?CblasTrans:CblasNoTrans,mm,j->n,j->k,1,a,lda,j->b,ldb,0,j->c+(size_t)m0*j->n,j->n);
  } else { int s=(j->n+parts-1)/parts; s=(s+15)/16*16; int n0=part*s, nn=j->n-n0<s?j->n-n0:s; if(nn<=0)return;
    const float*b=j->tb? j->b+(size_t)n0*ldb : j->b+n0;
    cblas_sgemm(CblasRowMajor,j->ta?CblasTrans:CblasNoTrans,j->tb?CblasTrans:CblasNoTrans,j->m,nn,j->k,1,j->a,lda,b,ldb,0,j->c+n0,j->n);
  }
}
static void* worker(void*x){ int seen=0; for(;;){ int g; while((g=atomic_load(&go))==seen){ if(atomic_load(&quit))return 0; } seen=g; piece(&J,1,2); atomic_fetch_add(&done,1);} }
static void whole(job*j){int lda=j->ta?j->m:j->k, ldb=j->tb?j->k:j->n;
  cblas_sgemm(CblasRowMajor,j->ta?CblasTrans:CblasNoTrans,j->tb?CblasTrans:CblasNoTrans,j->m,j->n,j->k,1,j->a,lda,j->b,ldb,0,j->c,j->n);}
static void split(job*j){ J=*j; int d=atomic_load(&done); atomic_fetch_add(&go,1); piece(j,0,2); while(atomic_load(&done)==d); }
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
static double med(void(*f)(job*),job*j,int reps){double t[128]; for(int i=0;i<3;i++)f(j); for(int i=0;i<reps;i++){double s=now();f(j);t[i]=now()-s;} qsort(t,reps,sizeof(double),cmp); return t[reps/2];}
int main(){
  printf("%s | %s\n", openblas_get_config(), openblas_get_corename());
  pthread_t th; pthread_create(&th,0,worker,0);
  int B[]={32,256}, W[]={128,512,2048};
  for(int bi=0;bi<2;bi++)for(int wi=0;wi<3;wi++){int b=B[bi],w=W[wi];
    int shapes[8][5]={{0,1,b,w,784},{0,1,b,w,w},{0,1,b,10,w},{1,0,10,w,b},{0,0,b,w,10},{1,0,w,w,b},{0,0,b,w,w},{1,0,w,784,b}};
    double tot[4]={0,0,0,0};
    for(int s=0;s<8;s++){ job j={shapes[s][0],shapes[s][1],shapes[s][2],shapes[s][3],shapes[s][4]};
      size_t sa=(size_t)j.m*j.k, sb=(size_t)j.k*j.n, sc=(size_t)j.m*j.n;
      j.a=malloc(sa*4); j.b=malloc(sb*4); j.c=malloc(sc*4); for(size_t i=0;i<sa;i++)j.a[i]=(i%7)*0.1f; for(size_t i=0;i<sb;i++)j.b[i]=(i%5)*0.1f;
      int reps = (double)j.m*j.n*j.k > 1e9 ? 15 : 61;
      double a2[128],a1[128],ap[128],aq[128];
      for(int r=0;r<reps+3;r++){ double s;
        openblas_set_num_threads(2); s=now(); whole(&j); if(r>=3)a2[r-3]=now()-s;
        openblas_set_num_threads(1); s=now(); whole(&j); if(r>=3)a1[r-3]=now()-s;
        s=now(); split(&j); if(r>=3)ap[r-3]=now()-s;
        openblas_set_num_threads(2); s=now(); split(&j); if(r>=3)aq[r-3]=now()-s; }
      qsort(a2,reps,8,cmp);qsort(a1,reps,8,cmp);qsort(ap,reps,8,cmp);qsort(aq,reps,8,cmp);double tq=aq[0]; tot[3]+=tq;
      double t2=a2[0],t1=a1[0],tp=ap[0];
      tot[0]+=t2; tot[1]+=t1; tot[2]+=tp;
      printf("B%-4d W%-5d %c%c m=%-5d n=%-5d k=%-5d  2thr %8.1fus  1thr %8.1fus  split %8.1fus  split/2thr %.2f split@2thr %8.1fus\n",b,w,j.ta?'T':'N',j.tb?'T':'N',j.m,j.n,j.k,t2*1e6,t1*1e6,tp*1e6,tp/t2,tq*1e6);
      free(j.a);free(j.b);free(j.c);}
    printf("== B%d W%d total: 2thr %.1fus 1thr %.1fus split %.1fus  split/2thr %.2f split@2thr %.1fus\n",b,w,tot[0]*1e6,tot[1]*1e6,tot[2]*1e6,tot[2]/tot[0],tot[3]*1e6);
  }
  atomic_store(&quit,1); return 0;}
