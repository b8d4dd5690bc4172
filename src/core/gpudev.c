/* src/core/gpudev.c: Vulkan compute through a loader opened at run time. */
#include "gpudev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EV_HAVE_VULKAN

void gpu_list(struct ev_gpu_list *l)
{
	memset(l, 0, sizeof *l);
	snprintf(l->reason, sizeof l->reason,
		 "built without Vulkan (libvulkan-dev and glslc were missing at build time)");
}

#define NOVK(e) ev_fail(e, EV_ERR_UNSUPPORTED, "GPU: built without Vulkan")
int gpu_open(struct ev_gpu **g, int index, struct ev_err *e)
{
	(void)index;
	*g = NULL;
	return NOVK(e);
}
void gpu_close(struct ev_gpu *g)
{
	(void)g;
}
const struct ev_gpu_info *gpu_info(const struct ev_gpu *g)
{
	(void)g;
	return NULL;
}
int gpu_buf_create(struct ev_gpu *g, uint64_t bytes, struct ev_gpu_buf **b, struct ev_err *e)
{
	(void)g, (void)bytes;
	*b = NULL;
	return NOVK(e);
}
int gpu_buf_upload(struct ev_gpu *g, struct ev_gpu_buf *b, const void *src, uint64_t bytes,
		   struct ev_err *e)
{
	(void)g, (void)b, (void)src, (void)bytes;
	return NOVK(e);
}
int gpu_buf_download(struct ev_gpu *g, struct ev_gpu_buf *b, void *dst, uint64_t bytes,
		     struct ev_err *e)
{
	(void)g, (void)b, (void)dst, (void)bytes;
	return NOVK(e);
}
void gpu_buf_destroy(struct ev_gpu *g, struct ev_gpu_buf *b)
{
	(void)g, (void)b;
}
int gpu_kernel_create(struct ev_gpu *g, const uint32_t *spirv, size_t spirv_bytes, int nbufs,
		      uint32_t push_bytes, const uint32_t *spec, int nspec, struct ev_gpu_kernel **k,
		      struct ev_err *e)
{
	(void)g, (void)spirv, (void)spirv_bytes, (void)nbufs, (void)push_bytes, (void)spec, (void)nspec;
	*k = NULL;
	return NOVK(e);
}
int gpu_kernel_run(struct ev_gpu *g, struct ev_gpu_kernel *k, struct ev_gpu_buf *const *bufs,
		   const void *push, uint32_t groups_x, int reps, double *seconds, struct ev_err *e)
{
	(void)g, (void)k, (void)bufs, (void)push, (void)groups_x, (void)reps;
	*seconds = 0;
	return NOVK(e);
}
void gpu_kernel_destroy(struct ev_gpu *g, struct ev_gpu_kernel *k)
{
	(void)g, (void)k;
}
int gpu_copy_timed(struct ev_gpu *g, struct ev_gpu_buf *b, void *host, uint64_t bytes, int up,
		   int reps, double *seconds, struct ev_err *e)
{
	(void)g, (void)b, (void)host, (void)bytes, (void)up, (void)reps;
	*seconds = 0;
	return NOVK(e);
}

#else /* EV_HAVE_VULKAN */

#include <dlfcn.h>
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#define NO_DEVICE                                                                            \
	"no Vulkan device (the loader found no driver: Debian mesa-vulkan-drivers, or the "  \
	"vendor's)"

/* Every entry point eaves uses, loaded through vkGetInstanceProcAddr. */
#define VK_FUNCS(X)                                                                          \
	X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties)    \
	X(vkGetPhysicalDeviceProperties2) X(vkGetPhysicalDeviceFeatures2)                      \
	X(vkGetPhysicalDeviceMemoryProperties) X(vkGetPhysicalDeviceQueueFamilyProperties)     \
	X(vkEnumerateDeviceExtensionProperties) X(vkCreateDevice) X(vkDestroyDevice)           \
	X(vkGetDeviceQueue) X(vkCreateBuffer) X(vkDestroyBuffer)                               \
	X(vkGetBufferMemoryRequirements) X(vkAllocateMemory) X(vkFreeMemory)                   \
	X(vkBindBufferMemory) X(vkMapMemory) X(vkUnmapMemory) X(vkCreateShaderModule)          \
	X(vkDestroyShaderModule) X(vkCreateDescriptorSetLayout)                                \
	X(vkDestroyDescriptorSetLayout) X(vkCreatePipelineLayout) X(vkDestroyPipelineLayout)   \
	X(vkCreateComputePipelines) X(vkDestroyPipeline) X(vkCreateDescriptorPool)             \
	X(vkDestroyDescriptorPool) X(vkAllocateDescriptorSets) X(vkUpdateDescriptorSets)       \
	X(vkCreateCommandPool) X(vkDestroyCommandPool) X(vkAllocateCommandBuffers)             \
	X(vkResetCommandBuffer) X(vkBeginCommandBuffer) X(vkEndCommandBuffer)                  \
	X(vkCmdBindPipeline) X(vkCmdBindDescriptorSets) X(vkCmdPushConstants)                  \
	X(vkCmdDispatch) X(vkCmdPipelineBarrier) X(vkCmdWriteTimestamp) X(vkCmdResetQueryPool) \
	X(vkCmdCopyBuffer) X(vkQueueSubmit) X(vkCreateQueryPool) X(vkDestroyQueryPool)         \
	X(vkGetQueryPoolResults) X(vkCreateFence) X(vkDestroyFence) X(vkWaitForFences)         \
	X(vkResetFences)

static struct {
	int tried, ok;
	char reason[256];
	void *lib;
	VkInstance inst;
	PFN_vkGetInstanceProcAddr gipa;
#define X(f) PFN_##f f;
	VK_FUNCS(X)
#undef X
} vk;

/* Load the loader and make one instance for the process. */
static int vk_load(void)
{
	const char *path = getenv("EAVES_VULKAN_LIB");
	PFN_vkCreateInstance create;
	VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
				 .pApplicationName = "eaves", .apiVersion = VK_API_VERSION_1_1};
	VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
				   .pApplicationInfo = &app};
	VkResult r;
	if (vk.tried)
		return vk.ok ? 0 : -1;
	vk.tried = 1;
	if (!path)
		path = "libvulkan.so.1";
	if (!(vk.lib = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(vk.reason, sizeof vk.reason, "no Vulkan loader: cannot load %s (Debian: libvulkan1)",
			 path);
		return -1;
	}
	vk.gipa = (PFN_vkGetInstanceProcAddr)dlsym(vk.lib, "vkGetInstanceProcAddr");
	create = vk.gipa ? (PFN_vkCreateInstance)vk.gipa(NULL, "vkCreateInstance") : NULL;
	if (!create) {
		snprintf(vk.reason, sizeof vk.reason, "%s has no vkGetInstanceProcAddr", path);
		return -1;
	}
	if ((r = create(&ci, NULL, &vk.inst)) != VK_SUCCESS) {
		if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
			snprintf(vk.reason, sizeof vk.reason, NO_DEVICE);
		else
			snprintf(vk.reason, sizeof vk.reason, "vkCreateInstance failed (VkResult %d)", (int)r);
		return -1;
	}
#define X(f)                                                                                 \
	if (!(vk.f = (PFN_##f)vk.gipa(vk.inst, #f))) {                                       \
		snprintf(vk.reason, sizeof vk.reason, "the Vulkan loader lacks %s (Vulkan 1.1 "  \
			 "needed)", #f);                                                       \
		return -1;                                                                   \
	}
	VK_FUNCS(X)
#undef X
	vk.ok = 1;
	return 0;
}

static int has_ext(VkPhysicalDevice pd, const char *name)
{
	uint32_t n = 0;
	VkExtensionProperties *p;
	int found = 0;
	if (vk.vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) != VK_SUCCESS || !n)
		return 0;
	if (!(p = calloc(n, sizeof *p)))
		return 0;
	if (vk.vkEnumerateDeviceExtensionProperties(pd, NULL, &n, p) == VK_SUCCESS)
		for (uint32_t i = 0; i < n && !found; i++)
			found = !strcmp(p[i].extensionName, name);
	free(p);
	return found;
}

/* The first queue family that computes. */
static int compute_family(VkPhysicalDevice pd, uint32_t *fam, uint32_t *ts_bits)
{
	uint32_t n = 0;
	VkQueueFamilyProperties q[16];
	vk.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
	if (n > 16)
		n = 16;
	vk.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
	for (uint32_t i = 0; i < n; i++)
		if (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
			*fam = i;
			*ts_bits = q[i].timestampValidBits;
			return 0;
		}
	return -1;
}

/* VK_NV_cooperative_matrix's fp16-input, subgroup-scope shapes (the
 * extension and the memory model checked by the caller): the feature bits,
 * then the list through its own entry point (a physical-device function of a
 * device extension: from vkGetInstanceProcAddr). Nothing where the driver
 * does not turn the features on or lists no such shape. */
static void coop_nv_shapes(VkPhysicalDevice pd, struct ev_gpu_info *d)
{
	VkPhysicalDeviceVulkanMemoryModelFeatures mm = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES};
	VkPhysicalDeviceCooperativeMatrixFeaturesNV cf = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV, .pNext = &mm};
	VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &cf};
	PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV props =
		(PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)vk.gipa(
			vk.inst, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
	VkCooperativeMatrixPropertiesNV cp[64];
	uint32_t n = 0;
	vk.vkGetPhysicalDeviceFeatures2(pd, &f2);
	if (!cf.cooperativeMatrix || !mm.vulkanMemoryModel || !props ||
	    props(pd, &n, NULL) != VK_SUCCESS || !n)
		return;
	if (n > 64)
		n = 64;
	for (uint32_t i = 0; i < n; i++)
		cp[i] = (VkCooperativeMatrixPropertiesNV){.sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV};
	if (props(pd, &n, cp) < 0) /* VK_INCOMPLETE: the first 64 */
		return;
	for (uint32_t i = 0; i < n && d->ncoop < 16; i++) {
		const VkCooperativeMatrixPropertiesNV *c = &cp[i];
		int acc32 = c->CType == VK_COMPONENT_TYPE_FLOAT32_NV && c->DType == VK_COMPONENT_TYPE_FLOAT32_NV;
		int acc16 = c->CType == VK_COMPONENT_TYPE_FLOAT16_NV && c->DType == VK_COMPONENT_TYPE_FLOAT16_NV;
		if (c->AType != VK_COMPONENT_TYPE_FLOAT16_NV || c->BType != VK_COMPONENT_TYPE_FLOAT16_NV ||
		    c->scope != VK_SCOPE_SUBGROUP_NV || !(acc32 || acc16) || !c->MSize || !c->NSize ||
		    !c->KSize || c->MSize > 256 || c->NSize > 256 || c->KSize > 256)
			continue;
		d->coop[d->ncoop++] = (struct ev_gpu_coop_shape){c->MSize, c->NSize, c->KSize, acc32};
	}
	d->coop_nv = d->ncoop > 0;
}

static void describe(VkPhysicalDevice pd, int index, struct ev_gpu_info *d)
{
	VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
	VkPhysicalDeviceSubgroupProperties sub = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES,
						  .pNext = &drv};
	VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
					  .pNext = &sub};
	VkPhysicalDeviceShaderFloat16Int8Features f16 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
	VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f16};
	VkPhysicalDeviceMemoryProperties mp;
	uint32_t fam = 0, ts = 0;
	static const char *const types[] = {"other", "integrated", "discrete", "virtual", "cpu"};
	memset(d, 0, sizeof *d);
	d->index = index;
	vk.vkGetPhysicalDeviceProperties2(pd, &p2);
	vk.vkGetPhysicalDeviceFeatures2(pd, &f2);
	vk.vkGetPhysicalDeviceMemoryProperties(pd, &mp);
	snprintf(d->name, sizeof d->name, "%s", p2.properties.deviceName);
	snprintf(d->driver, sizeof d->driver, "%s", drv.driverName);
	snprintf(d->driver_info, sizeof d->driver_info, "%s", drv.driverInfo);
	snprintf(d->type, sizeof d->type, "%s",
		 p2.properties.deviceType <= VK_PHYSICAL_DEVICE_TYPE_CPU ? types[p2.properties.deviceType]
									 : "other");
	d->vendor_id = p2.properties.vendorID;
	d->device_id = p2.properties.deviceID;
	d->api_version = p2.properties.apiVersion;
	d->subgroup_size = sub.subgroupSize;
	d->subgroup_arith = (sub.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
			    (sub.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT);
	d->fp16 = f16.shaderFloat16 != 0;
	if (has_ext(pd, "VK_KHR_shader_integer_dot_product")) {
		/* queried only where the extension is there (the structs are its own) */
		VkPhysicalDeviceShaderIntegerDotProductFeatures df = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES};
		VkPhysicalDeviceShaderIntegerDotProductProperties dp = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES};
		VkPhysicalDeviceFeatures2 f2d = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &df};
		VkPhysicalDeviceProperties2 p2d = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
						   .pNext = &dp};
		vk.vkGetPhysicalDeviceFeatures2(pd, &f2d);
		vk.vkGetPhysicalDeviceProperties2(pd, &p2d);
		d->int8_dot = df.shaderIntegerDotProduct != 0;
		d->int8_dot_accel = dp.integerDotProduct4x8BitPackedSignedAccelerated != 0;
	}
	d->coop_matrix = has_ext(pd, "VK_KHR_cooperative_matrix") || has_ext(pd, "VK_NV_cooperative_matrix");
	if (d->fp16 && has_ext(pd, "VK_NV_cooperative_matrix") && has_ext(pd, "VK_KHR_vulkan_memory_model"))
		coop_nv_shapes(pd, d);
	d->max_buffer_bytes = p2.properties.limits.maxStorageBufferRange;
	{ /* EAVES_GPU_MAX_BUFFER=BYTES lowers it: the tests play a device with a small range */
		const char *lim = getenv("EAVES_GPU_MAX_BUFFER");
		unsigned long long v = lim ? strtoull(lim, NULL, 10) : 0;
		if (v >= 65536 && v < d->max_buffer_bytes)
			d->max_buffer_bytes = v;
	}
	d->max_groups_x = p2.properties.limits.maxComputeWorkGroupCount[0];
	if (!compute_family(pd, &fam, &ts) && ts > 0 && p2.properties.limits.timestampComputeAndGraphics)
		d->timestamp_period_ns = p2.properties.limits.timestampPeriod;
	d->nheaps = (int)(mp.memoryHeapCount < 8 ? mp.memoryHeapCount : 8);
	for (int i = 0; i < d->nheaps; i++) {
		d->heap_bytes[i] = mp.memoryHeaps[i].size;
		d->heap_device_local[i] = (mp.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0;
	}
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;
		if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
			d->unified = 1;
	}
}

void gpu_list(struct ev_gpu_list *l)
{
	VkPhysicalDevice pd[EV_GPU_MAX];
	uint32_t n = EV_GPU_MAX;
	memset(l, 0, sizeof *l);
	if (vk_load()) {
		snprintf(l->reason, sizeof l->reason, "%s", vk.reason);
		return;
	}
	if (vk.vkEnumeratePhysicalDevices(vk.inst, &n, pd) < 0 || n == 0) {
		snprintf(l->reason, sizeof l->reason, NO_DEVICE);
		return;
	}
	for (uint32_t i = 0; i < n && i < EV_GPU_MAX; i++)
		describe(pd[i], (int)i, &l->dev[l->n++]);
	l->ok = 1;
}

struct ev_gpu {
	struct ev_gpu_info info;
	VkPhysicalDevice pd;
	VkPhysicalDeviceMemoryProperties mp;
	VkDevice dev;
	VkQueue q;
	uint32_t fam;
	VkCommandPool pool;
	VkCommandBuffer cb;
	VkFence fence;
	VkQueryPool qp;
};

struct ev_gpu_buf {
	VkBuffer buf;
	VkDeviceMemory mem;
	uint64_t bytes;
	void *map; /* host-visible buffers only */
};

struct ev_gpu_kernel {
	VkShaderModule mod;
	VkDescriptorSetLayout dsl;
	VkPipelineLayout pl;
	VkPipeline pipe;
	VkDescriptorPool dp;
	VkDescriptorSet ds;
	int nbufs;
	uint32_t push_bytes;
};

static int vkfail(struct ev_err *e, const char *what, VkResult r)
{
	return ev_fail(e, r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ?
				  EV_ERR_USAGE :
				  EV_ERR_RUNTIME,
		       "GPU: %s failed (VkResult %d%s)", what, (int)r,
		       r == VK_ERROR_OUT_OF_DEVICE_MEMORY ? ": out of device memory" : "");
}

int gpu_open(struct ev_gpu **out, int index, struct ev_err *e)
{
	struct ev_gpu_list l;
	VkPhysicalDevice pd[EV_GPU_MAX];
	uint32_t n = EV_GPU_MAX, ts;
	float prio = 1;
	struct ev_gpu *g;
	VkResult r;
	*out = NULL;
	gpu_list(&l);
	if (!l.ok)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "GPU: %s", l.reason);
	if (index < 0 || index >= l.n)
		return ev_fail(e, EV_ERR_USAGE, "--gpu %d: this machine has %d Vulkan device(s) (0..%d; "
				"eaves info lists them)", index, l.n, l.n - 1);
	if (!(g = calloc(1, sizeof *g)))
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	vk.vkEnumeratePhysicalDevices(vk.inst, &n, pd);
	g->pd = pd[index];
	g->info = l.dev[index];
	vk.vkGetPhysicalDeviceMemoryProperties(g->pd, &g->mp);
	if (compute_family(g->pd, &g->fam, &ts)) {
		free(g);
		return ev_fail(e, EV_ERR_UNSUPPORTED, "GPU %d (%s): no compute queue", index, l.dev[index].name);
	}
	{
		VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
					      .queueFamilyIndex = g->fam, .queueCount = 1,
					      .pQueuePriorities = &prio};
		/* fp16 arithmetic and the integer dot product in shaders where the device
		 * has them (the FP16 and INT8 peaks) */
		/* and the cooperative-matrix peak's extension, feature and memory model */
		const char *ext[3];
		uint32_t next = 0;
		VkPhysicalDeviceShaderIntegerDotProductFeatures dotf = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES,
			.shaderIntegerDotProduct = VK_TRUE};
		VkPhysicalDeviceVulkanMemoryModelFeatures mm = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES,
			.vulkanMemoryModel = VK_TRUE};
		VkPhysicalDeviceCooperativeMatrixFeaturesNV cf = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV,
			.pNext = &mm, .cooperativeMatrix = VK_TRUE};
		VkPhysicalDeviceShaderFloat16Int8Features f16 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES,
			.shaderFloat16 = g->info.fp16 ? VK_TRUE : VK_FALSE};
		VkDeviceCreateInfo di = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
					 .pNext = g->info.fp16 || g->info.int8_dot ? &f16 : NULL,
					 .queueCreateInfoCount = 1, .pQueueCreateInfos = &qi,
					 .ppEnabledExtensionNames = ext};
		if (g->info.int8_dot) {
			ext[next++] = "VK_KHR_shader_integer_dot_product";
			f16.pNext = &dotf;
		}
		if (g->info.coop_nv) {
			ext[next++] = "VK_NV_cooperative_matrix";
			ext[next++] = "VK_KHR_vulkan_memory_model";
			if (g->info.int8_dot)
				dotf.pNext = &cf;
			else
				f16.pNext = &cf;
		}
		di.enabledExtensionCount = next;
		if ((r = vk.vkCreateDevice(g->pd, &di, NULL, &g->dev)) != VK_SUCCESS) {
			free(g);
			return vkfail(e, "vkCreateDevice", r);
		}
	}
	vk.vkGetDeviceQueue(g->dev, g->fam, 0, &g->q);
	{
		VkCommandPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
					      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
					      .queueFamilyIndex = g->fam};
		VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
						  .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
						  .commandBufferCount = 1};
		VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
		VkQueryPoolCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
					    .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 2};
		if ((r = vk.vkCreateCommandPool(g->dev, &pi, NULL, &g->pool)) ||
		    (ai.commandPool = g->pool, r = vk.vkAllocateCommandBuffers(g->dev, &ai, &g->cb)) ||
		    (r = vk.vkCreateFence(g->dev, &fi, NULL, &g->fence)) ||
		    (r = vk.vkCreateQueryPool(g->dev, &qi, NULL, &g->qp))) {
			gpu_close(g);
			return vkfail(e, "creating the command pool, fence and query pool", r);
		}
	}
	*out = g;
	return EV_OK;
}

void gpu_close(struct ev_gpu *g)
{
	if (!g)
		return;
	if (g->dev) {
		if (g->qp)
			vk.vkDestroyQueryPool(g->dev, g->qp, NULL);
		if (g->fence)
			vk.vkDestroyFence(g->dev, g->fence, NULL);
		if (g->pool)
			vk.vkDestroyCommandPool(g->dev, g->pool, NULL);
		vk.vkDestroyDevice(g->dev, NULL);
	}
	free(g);
}

const struct ev_gpu_info *gpu_info(const struct ev_gpu *g)
{
	return &g->info;
}

static int mem_type(const struct ev_gpu *g, uint32_t bits, VkMemoryPropertyFlags want)
{
	for (uint32_t i = 0; i < g->mp.memoryTypeCount; i++)
		if ((bits >> i & 1) && (g->mp.memoryTypes[i].propertyFlags & want) == want)
			return (int)i;
	return -1;
}

static int buf_make(struct ev_gpu *g, uint64_t bytes, int host, struct ev_gpu_buf **out,
		    struct ev_err *e)
{
	VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = bytes,
				 .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
					  VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
				 .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
	VkMemoryRequirements req;
	VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
	struct ev_gpu_buf *b = calloc(1, sizeof *b);
	VkResult r;
	int t;
	*out = NULL;
	if (!b)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	b->bytes = bytes;
	if ((r = vk.vkCreateBuffer(g->dev, &bi, NULL, &b->buf)) != VK_SUCCESS) {
		free(b);
		return vkfail(e, "vkCreateBuffer", r);
	}
	vk.vkGetBufferMemoryRequirements(g->dev, b->buf, &req);
	t = host ? mem_type(g, req.memoryTypeBits,
			    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) :
		   mem_type(g, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
	if (t < 0)
		t = mem_type(g, req.memoryTypeBits, 0);
	ai.allocationSize = req.size;
	ai.memoryTypeIndex = (uint32_t)t;
	if ((r = vk.vkAllocateMemory(g->dev, &ai, NULL, &b->mem)) != VK_SUCCESS ||
	    (r = vk.vkBindBufferMemory(g->dev, b->buf, b->mem, 0)) != VK_SUCCESS ||
	    (host && (r = vk.vkMapMemory(g->dev, b->mem, 0, bytes, 0, &b->map)) != VK_SUCCESS)) {
		gpu_buf_destroy(g, b);
		return vkfail(e, "allocating a GPU buffer", r);
	}
	*out = b;
	return EV_OK;
}

int gpu_buf_create(struct ev_gpu *g, uint64_t bytes, struct ev_gpu_buf **b, struct ev_err *e)
{
	return buf_make(g, bytes, 0, b, e);
}

void gpu_buf_destroy(struct ev_gpu *g, struct ev_gpu_buf *b)
{
	if (!b)
		return;
	if (b->map)
		vk.vkUnmapMemory(g->dev, b->mem);
	if (b->buf)
		vk.vkDestroyBuffer(g->dev, b->buf, NULL);
	if (b->mem)
		vk.vkFreeMemory(g->dev, b->mem, NULL);
	free(b);
}

/* Record with fn, submit, wait. */
static int submit(struct ev_gpu *g, struct ev_err *e)
{
	VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			   .pCommandBuffers = &g->cb};
	VkResult r;
	if ((r = vk.vkEndCommandBuffer(g->cb)) || (r = vk.vkResetFences(g->dev, 1, &g->fence)) ||
	    (r = vk.vkQueueSubmit(g->q, 1, &si, g->fence)) ||
	    (r = vk.vkWaitForFences(g->dev, 1, &g->fence, VK_TRUE, UINT64_MAX)))
		return vkfail(e, "running a command buffer", r);
	return EV_OK;
}

static int begin(struct ev_gpu *g, struct ev_err *e)
{
	VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
				       .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
	VkResult r;
	if ((r = vk.vkResetCommandBuffer(g->cb, 0)) || (r = vk.vkBeginCommandBuffer(g->cb, &bi)))
		return vkfail(e, "recording a command buffer", r);
	return EV_OK;
}

static int need_timestamps(const struct ev_gpu *g, struct ev_err *e)
{
	if (g->info.timestamp_period_ns)
		return EV_OK;
	return ev_fail(e, EV_ERR_UNSUPPORTED, "GPU %d (%s): no timestamps on its compute queue",
		       g->info.index, g->info.name);
}

/* The span between the two timestamps of the last submission, in seconds. */
static int span(struct ev_gpu *g, double *seconds, struct ev_err *e)
{
	uint64_t ts[2];
	VkResult r = vk.vkGetQueryPoolResults(g->dev, g->qp, 0, 2, sizeof ts, ts, sizeof ts[0],
					      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
	if (r)
		return vkfail(e, "reading the timestamps", r);
	*seconds = (double)(ts[1] - ts[0]) * g->info.timestamp_period_ns * 1e-9;
	return EV_OK;
}

/* reps copies of `bytes` between a new host-visible staging buffer and b
 * (up: host to device), a barrier between them; with `seconds`, GPU
 * timestamps around them. up: the staging buffer holds `host` first; down:
 * `host` gets its bytes after the copies. */
static int transfer(struct ev_gpu *g, struct ev_gpu_buf *b, void *host, uint64_t bytes, int up,
		    int reps, double *seconds, struct ev_err *e)
{
	struct ev_gpu_buf *st = NULL;
	VkBufferCopy c = {.size = bytes};
	VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
			      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT};
	int rc;
	if (seconds) {
		*seconds = 0;
		if ((rc = need_timestamps(g, e)))
			return rc;
	}
	if (bytes > b->bytes || reps < 1)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: %llu bytes into a buffer of %llu",
			       (unsigned long long)bytes, (unsigned long long)b->bytes);
	if ((rc = buf_make(g, bytes, 1, &st, e)))
		return rc;
	if (up)
		memcpy(st->map, host, bytes);
	if (!(rc = begin(g, e))) {
		if (seconds) {
			vk.vkCmdResetQueryPool(g->cb, g->qp, 0, 2);
			vk.vkCmdWriteTimestamp(g->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, g->qp, 0);
		}
		for (int i = 0; i < reps; i++) {
			if (i)
				vk.vkCmdPipelineBarrier(g->cb, VK_PIPELINE_STAGE_TRANSFER_BIT,
							VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
			vk.vkCmdCopyBuffer(g->cb, up ? st->buf : b->buf, up ? b->buf : st->buf, 1, &c);
		}
		if (seconds)
			vk.vkCmdWriteTimestamp(g->cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, g->qp, 1);
		rc = submit(g, e);
	}
	if (!rc && seconds)
		rc = span(g, seconds, e);
	if (!rc && !up)
		memcpy(host, st->map, bytes);
	gpu_buf_destroy(g, st);
	return rc;
}

int gpu_buf_upload(struct ev_gpu *g, struct ev_gpu_buf *b, const void *src, uint64_t bytes,
		   struct ev_err *e)
{
	return transfer(g, b, (void *)(uintptr_t)src, bytes, 1, 1, NULL, e);
}

int gpu_buf_download(struct ev_gpu *g, struct ev_gpu_buf *b, void *dst, uint64_t bytes,
		     struct ev_err *e)
{
	return transfer(g, b, dst, bytes, 0, 1, NULL, e);
}

int gpu_kernel_create(struct ev_gpu *g, const uint32_t *spirv, size_t spirv_bytes, int nbufs,
		      uint32_t push_bytes, const uint32_t *spec, int nspec, struct ev_gpu_kernel **out,
		      struct ev_err *e)
{
	VkDescriptorSetLayoutBinding bind[8];
	VkSpecializationMapEntry map[4];
	VkSpecializationInfo si = {.mapEntryCount = (uint32_t)nspec, .pMapEntries = map,
				   .dataSize = sizeof(uint32_t) * (size_t)nspec, .pData = spec};
	struct ev_gpu_kernel *k;
	VkResult r;
	*out = NULL;
	if (nbufs < 1 || nbufs > 8 || nspec < 0 || nspec > 4)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: 1 to 8 buffers and 0 to 4 constants per kernel");
	for (int i = 0; i < nspec; i++)
		map[i] = (VkSpecializationMapEntry){
			.constantID = (uint32_t)i, .offset = 4 * (uint32_t)i, .size = 4};
	if (!(k = calloc(1, sizeof *k)))
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	k->nbufs = nbufs;
	k->push_bytes = push_bytes;
	for (int i = 0; i < nbufs; i++)
		bind[i] = (VkDescriptorSetLayoutBinding){.binding = (uint32_t)i,
							 .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
							 .descriptorCount = 1,
							 .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
	{
		VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
					       .codeSize = spirv_bytes, .pCode = spirv};
		VkDescriptorSetLayoutCreateInfo li = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
						      .bindingCount = (uint32_t)nbufs, .pBindings = bind};
		VkPushConstantRange pr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = push_bytes};
		VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
						  .setLayoutCount = 1, .pushConstantRangeCount = push_bytes ? 1 : 0,
						  .pPushConstantRanges = &pr};
		VkDescriptorPoolSize ps = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
					   .descriptorCount = (uint32_t)nbufs};
		VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
						  .maxSets = 1, .poolSizeCount = 1, .pPoolSizes = &ps};
		VkDescriptorSetAllocateInfo dai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
						   .descriptorSetCount = 1};
		VkComputePipelineCreateInfo ci = {
			.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
			.stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
				  .stage = VK_SHADER_STAGE_COMPUTE_BIT, .pName = "main",
				  .pSpecializationInfo = nspec ? &si : NULL}};
		pli.pSetLayouts = &k->dsl;
		if ((r = vk.vkCreateShaderModule(g->dev, &mi, NULL, &k->mod)) ||
		    (r = vk.vkCreateDescriptorSetLayout(g->dev, &li, NULL, &k->dsl)) ||
		    (r = vk.vkCreatePipelineLayout(g->dev, &pli, NULL, &k->pl)) ||
		    (ci.stage.module = k->mod, ci.layout = k->pl,
		     r = vk.vkCreateComputePipelines(g->dev, VK_NULL_HANDLE, 1, &ci, NULL, &k->pipe)) ||
		    (r = vk.vkCreateDescriptorPool(g->dev, &dpi, NULL, &k->dp)) ||
		    (dai.descriptorPool = k->dp, dai.pSetLayouts = &k->dsl,
		     r = vk.vkAllocateDescriptorSets(g->dev, &dai, &k->ds))) {
			gpu_kernel_destroy(g, k);
			return vkfail(e, "creating a compute pipeline", r);
		}
	}
	*out = k;
	return EV_OK;
}

void gpu_kernel_destroy(struct ev_gpu *g, struct ev_gpu_kernel *k)
{
	if (!k)
		return;
	if (k->dp)
		vk.vkDestroyDescriptorPool(g->dev, k->dp, NULL);
	if (k->pipe)
		vk.vkDestroyPipeline(g->dev, k->pipe, NULL);
	if (k->pl)
		vk.vkDestroyPipelineLayout(g->dev, k->pl, NULL);
	if (k->dsl)
		vk.vkDestroyDescriptorSetLayout(g->dev, k->dsl, NULL);
	if (k->mod)
		vk.vkDestroyShaderModule(g->dev, k->mod, NULL);
	free(k);
}

int gpu_copy_timed(struct ev_gpu *g, struct ev_gpu_buf *b, void *host, uint64_t bytes, int up,
		   int reps, double *seconds, struct ev_err *e)
{
	return transfer(g, b, host, bytes, up, reps, seconds, e);
}

int gpu_kernel_run(struct ev_gpu *g, struct ev_gpu_kernel *k, struct ev_gpu_buf *const *bufs,
		   const void *push, uint32_t groups_x, int reps, double *seconds, struct ev_err *e)
{
	VkDescriptorBufferInfo bi[8];
	VkWriteDescriptorSet w[8];
	VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
			      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT};
	int rc;
	*seconds = 0;
	if ((rc = need_timestamps(g, e)))
		return rc;
	if (groups_x < 1 || groups_x > g->info.max_groups_x)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: %u workgroups (the device takes 1..%u)", groups_x,
			       g->info.max_groups_x);
	for (int i = 0; i < k->nbufs; i++) {
		bi[i] = (VkDescriptorBufferInfo){.buffer = bufs[i]->buf, .range = VK_WHOLE_SIZE};
		w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
					      .dstSet = k->ds, .dstBinding = (uint32_t)i,
					      .descriptorCount = 1,
					      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
					      .pBufferInfo = &bi[i]};
	}
	vk.vkUpdateDescriptorSets(g->dev, (uint32_t)k->nbufs, w, 0, NULL);
	if ((rc = begin(g, e)))
		return rc;
	vk.vkCmdResetQueryPool(g->cb, g->qp, 0, 2);
	vk.vkCmdBindPipeline(g->cb, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipe);
	vk.vkCmdBindDescriptorSets(g->cb, VK_PIPELINE_BIND_POINT_COMPUTE, k->pl, 0, 1, &k->ds, 0, NULL);
	if (k->push_bytes)
		vk.vkCmdPushConstants(g->cb, k->pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, k->push_bytes, push);
	vk.vkCmdWriteTimestamp(g->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, g->qp, 0);
	for (int i = 0; i < reps; i++) {
		if (i)
			vk.vkCmdPipelineBarrier(g->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
						VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL, 0,
						NULL);
		vk.vkCmdDispatch(g->cb, groups_x, 1, 1);
	}
	vk.vkCmdWriteTimestamp(g->cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, g->qp, 1);
	if ((rc = submit(g, e)))
		return rc;
	return span(g, seconds, e);
}

#endif
